// HTTP for the appeals loop. Intake is open to residents (signed in, or anonymous with a phone)
// and to staff entering cases for others; every other action checks the case and the caller.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import type { CallContext } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { errors, IdParams, Uuid } from '../../lib/schemas.ts';
import { requireActor, scopesFor } from '../../policy/index.ts';
import { findTerritoryByCode } from '../territories/territories.repository.ts';
import { canReadAsStaff, isReporter } from './appeal-access.ts';
import { listAppeals, listByReporter } from './appeal-list.repository.ts';
import { isValidTrackingCode, type Channel, type Urgency } from './appeal-rules.ts';
import { presentPublic, presentStaff } from './appeal-view.ts';
import {
  AnswerBody,
  CodeParams,
  DecisionBody,
  DispatchBody,
  EscalateBody,
  ExtensionBody,
  IntakeBody,
  IntakeResponse,
  ListQuery,
  ListResponse,
  MergeBody,
  NoteBody,
  PublicAppeal,
  RateBody,
  ReasonBody,
  ReplyBody,
  StaffAppeal,
} from './appeals.schema.ts';
import { findAppeal, findAppealByCode, findAttachment, loadHandlers, type AppealRow } from './appeals.repository.ts';
import { readForm } from './forms.ts';
import { deletePhotos, readPhoto, savePhotos } from './photos/photo-service.ts';
import { factsOf } from './case-action.ts';
import { rateAppeal } from './feedback.service.ts';
import { escalateAppeal, replyAppeal, requestExtension, returnAppeal, revealContact, signAppeal, startHandling } from './handling.service.ts';
import { submitAppeal } from './intake.service.ts';
import { importAppeals, parseImportFile } from './bulk-import.ts';
import { answerOnTheSpot, closeAppeal, decideExtension, dispatchAppeal, flagAppeal, mergeAppeal, verifyAppeal } from './oversight.service.ts';

export const appealRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, territoryIndex, blobStore } = app.deps;
  const db = database.db;
  const tags = ['appeals'];
  const ActionOutcome = Type.Object({ id: Type.String(), code: Type.String(), status: Type.String() });
  const ImportReport = Type.Object({
    created: Type.Integer(),
    existing: Type.Integer(),
    rejected: Type.Integer(),
    rows: Type.Array(
      Type.Object({
        row: Type.Integer(),
        status: Type.String(),
        code: Type.Optional(Type.String()),
        id: Type.Optional(Type.String()),
        error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) })),
      }),
    ),
  });

  const intakeAnswer = (appeal: AppealRow, created: boolean) => ({
    id: appeal.id,
    code: appeal.code,
    status: appeal.status,
    urgency: appeal.urgency as Urgency,
    created,
    routeReason: appeal.routeReason,
  });

  async function view(ctx: CallContext, id: string) {
    const appeal = await findAppeal(db, id);
    if (!appeal) throw notFound('Appeal');
    const handlers = await loadHandlers(db, appeal.id);
    const facts = factsOf(appeal, handlers);
    if (canReadAsStaff(ctx.actor, facts)) return presentStaff(db, ctx.actor, appeal, handlers, facts);
    // The reporter and everyone else see the public version; others cannot tell the id exists.
    if (isReporter(ctx.actor, facts)) return presentPublic(db, appeal);
    throw notFound('Appeal');
  }

  app.post(
    '/',
    {
      schema: { tags, summary: 'Report a problem (every channel)', body: IntakeBody, response: { 200: IntakeResponse, 201: IntakeResponse, ...errors(400, 401, 403, 422) } },
    },
    async (request, reply) => {
      const body = request.body;
      const channel: Channel = body.channel ?? (request.actor?.via === 'token' ? 'api' : 'app');
      const { appeal, created } = await submitAppeal({ db, territoryIndex }, request.ctx(), { ...body, channel });
      return reply.status(created ? 201 : 200).send(intakeAnswer(appeal, created));
    },
  );

  // Bulk intake: text/csv or application/x-ndjson bodies, read as text.
  app.addContentTypeParser(['text/csv', 'application/x-ndjson', 'application/jsonl'], { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  app.post(
    '/import',
    {
      bodyLimit: 20 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Bulk intake from CSV (header row) or JSON lines; one result per row',
        description: 'Columns: text, category, lon, lat, address, territory, contact_name, contact_phone, urgency, channel (hotline, mailbox, wechat, letter, walk_in, patrol, import), hide_identity, key (idempotency; defaults to a hash of the row).',
        response: { 200: ImportReport, ...errors(400, 401, 403, 413, 415) },
      },
    },
    async (request) => {
      requireActor(request.actor);
      const type = String(request.headers['content-type'] ?? '').split(';')[0];
      if (typeof request.body !== 'string') throw new AppError('unsupported_media_type', 'Send the file as text/csv or application/x-ndjson.');
      const rows = parseImportFile(request.body, type === 'text/csv' ? 'csv' : 'jsonl');
      const results = await importAppeals({ db, territoryIndex }, request.ctx(), rows);
      const count = (s: string) => results.filter((r) => r.status === s).length;
      return { created: count('created'), existing: count('existing'), rejected: count('rejected'), rows: results };
    },
  );

  app.post(
    '/form',
    {
      schema: {
        tags,
        summary: 'Report a problem with up to 9 photos (multipart: a `data` JSON field as for POST /, and `photos` files)',
        consumes: ['multipart/form-data'],
        response: { 200: IntakeResponse, 201: IntakeResponse, ...errors(400, 401, 403, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const { fields, files } = await readForm(request, IntakeBody);
      // Photos are checked and stored before the transaction, and removed if it does not keep them.
      const photos = await savePhotos(blobStore, files);
      const channel: Channel = fields.channel ?? (request.actor?.via === 'token' ? 'api' : 'app');
      try {
        const { appeal, created } = await submitAppeal({ db, territoryIndex }, request.ctx(), { ...fields, channel, photos });
        if (!created) await deletePhotos(blobStore, photos.map((p) => p.storageKey));
        return reply.status(created ? 201 : 200).send(intakeAnswer(appeal, created));
      } catch (error) {
        await deletePhotos(blobStore, photos.map((p) => p.storageKey));
        throw error;
      }
    },
  );

  app.post(
    '/:id/reply/form',
    {
      schema: { tags, summary: '回复 with photos (multipart: `text` and `photos`)', consumes: ['multipart/form-data'], params: IdParams, response: { 200: Type.Union([StaffAppeal, PublicAppeal]), ...errors(400, 401, 403, 404, 409, 413, 415) } },
    },
    async (request) => {
      requireActor(request.actor);
      const { fields, files } = await readForm(request, ReplyBody);
      const photos = await savePhotos(blobStore, files);
      try {
        await replyAppeal(db, request.ctx(), request.params.id, { text: fields.text, photos });
      } catch (error) {
        await deletePhotos(blobStore, photos.map((p) => p.storageKey));
        throw error;
      }
      return view(request.ctx(), request.params.id);
    },
  );

  app.get(
    '/:id/photos/:photoId',
    { schema: { tags, summary: 'A photo of a case (public ones for anyone with the case id; others for staff)', params: Type.Object({ id: Uuid, photoId: Uuid }) } },
    async (request, reply) => {
      const appeal = await findAppeal(db, request.params.id);
      const photo = appeal ? await findAttachment(db, appeal.id, request.params.photoId) : undefined;
      if (!appeal || !photo) throw notFound('Photo');
      if (photo.visibility !== 'public') {
        const handlers = await loadHandlers(db, appeal.id);
        if (!canReadAsStaff(request.actor, factsOf(appeal, handlers))) throw notFound('Photo');
      }
      const file = await readPhoto(blobStore, photo.storageKey);
      return reply
        .header('content-type', file.mime)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, max-age=86400')
        .send(file.data);
    },
  );

  app.get(
    '/track/:code',
    { schema: { tags, summary: 'Follow a case by its tracking code (anonymous, public view)', params: CodeParams, response: { 200: PublicAppeal, ...errors(400, 404) } } },
    async (request) => {
      const code = request.params.code.replace(/\s/g, '');
      if (!isValidTrackingCode(code)) throw new AppError('validation_failed', 'The tracking code has a typo (check digit).', [{ field: '/code', message: 'check digit' }]);
      const appeal = await findAppealByCode(db, code);
      if (!appeal) throw notFound('Appeal');
      return presentPublic(db, appeal);
    },
  );

  app.get(
    '/mine',
    { schema: { tags, summary: 'Cases I reported', response: { 200: Type.Array(PublicAppeal), ...errors(401) } } },
    async (request) => {
      requireActor(request.actor);
      const rows = await listByReporter(db, request.actor.accountId, 100);
      return Promise.all(rows.map((a) => presentPublic(db, a)));
    },
  );

  app.get(
    '/',
    { schema: { tags, summary: 'Workbench queues of the cases I may see', querystring: ListQuery, response: { 200: ListResponse, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      requireActor(request.actor);
      const q = request.query;
      const unitIds = [...new Set(request.actor.grants.map((g) => g.organisationId).filter((x): x is string => Boolean(x)))];
      const scopes = scopesFor(request.actor, 'appeal.read');
      if (scopes.length === 0 && unitIds.length === 0) throw new AppError('forbidden', 'Only staff have case queues.');
      const within = q.territory ? await findTerritoryByCode(db, q.territory) : undefined;
      if (q.territory && !within) throw notFound(`Territory ${q.territory}`);
      const { items, total } = await listAppeals(db, {
        scopes,
        unitIds,
        queue: q.queue ?? 'all',
        withinPath: within?.path,
        categoryCode: q.categoryCode,
        channel: q.channel,
        urgency: q.urgency,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        q: q.q,
        limit: q.limit ?? 50,
        offset: q.offset ?? 0,
      });
      return {
        total,
        items: items.map((a) => ({
          id: a.id,
          code: a.code,
          status: a.status,
          categoryCode: a.categoryCode,
          text: a.text,
          urgency: a.urgency,
          channel: a.channel,
          territoryPath: a.territoryPath,
          leadOrgId: a.leadOrgId,
          createdAt: a.createdAt.toISOString(),
          signDueAt: a.signDueAt?.toISOString() ?? null,
          resolveDueAt: a.resolveDueAt?.toISOString() ?? null,
          deadlineState: a.deadlineState,
          supervised: a.supervised,
          urgeCount: a.urgeCount,
        })),
      };
    },
  );

  app.get(
    '/:id',
    { schema: { tags, summary: 'One case: staff see everything but the contact; its reporter the public view', params: IdParams, response: { 200: Type.Union([StaffAppeal, PublicAppeal]), ...errors(401, 404) } } },
    async (request) => {
      requireActor(request.actor);
      return view(request.ctx(), request.params.id);
    },
  );

  // Actions: each returns the case as the caller now sees it.
  type Body = Record<string, unknown>;
  const action = <S extends TSchema>(path: string, summary: string, body: S | null, run: (ctx: CallContext, id: string, body: Body) => Promise<unknown>) => {
    app.post(
      `/:id/${path}`,
      { schema: { tags, summary, params: IdParams, ...(body && { body }), response: { 200: Type.Union([StaffAppeal, PublicAppeal, ActionOutcome]), ...errors(400, 401, 403, 404, 409) } } },
      async (request) => {
        requireActor(request.actor);
        const ctx = request.ctx();
        const after = (await run(ctx, request.params.id, (request.body ?? {}) as Body)) as { id: string; code: string; status: string };
        // After a return or a merge the caller may no longer see the case: say where it went.
        return view(ctx, request.params.id).catch((error: unknown) => {
          if (error instanceof AppError && error.code === 'not_found') return { id: after.id, code: after.code, status: after.status };
          throw error;
        });
      },
    );
  };
  action('dispatch', '分拨: place the case with a unit', DispatchBody, (ctx, id, b) => dispatchAppeal(db, ctx, id, b as never));
  action('sign', '签收', null, (ctx, id) => signAppeal(db, ctx, id));
  action('start', '开始办理', null, (ctx, id) => startHandling(db, ctx, id));
  action('reply', '回复 the resident', ReplyBody, (ctx, id, b) => replyAppeal(db, ctx, id, b as never));
  action('return', '退单 with a reason', ReasonBody, (ctx, id, b) => returnAppeal(db, ctx, id, b as never));
  action('extension', '延期申请', ExtensionBody, (ctx, id, b) => requestExtension(db, ctx, id, { until: new Date(b.until as string), reason: b.reason as string }));
  action('extension/decision', '延期审批', DecisionBody, (ctx, id, b) => decideExtension(db, ctx, id, b as never));
  action('escalate', '吹哨: add co-handling units', EscalateBody, (ctx, id, b) => escalateAppeal(db, ctx, id, b as never));
  action('urge', '催办', NoteBody, (ctx, id, b) => flagAppeal(db, ctx, id, { kind: 'urge', note: b.note as string | undefined }));
  action('supervise', '督办', NoteBody, (ctx, id, b) => flagAppeal(db, ctx, id, { kind: 'supervise', note: b.note as string | undefined }));
  action('merge', '并案 into a parent case', MergeBody, (ctx, id, b) => mergeAppeal(db, ctx, id, b as never));
  action('verify', '核实 the fix on site', NoteBody, (ctx, id, b) => verifyAppeal(db, ctx, id, b as never));
  action('close', '办结', NoteBody, (ctx, id, b) => closeAppeal(db, ctx, id, b as never));
  action('answer', '即时办结: answered on the phone', AnswerBody, (ctx, id, b) => answerOnTheSpot(db, ctx, id, b as never));
  action('rate', '评价 by the resident', RateBody, (ctx, id, b) => rateAppeal(db, ctx, id, b as never, 'resident'));
  action('follow-up', '回访: an operator records the caller’s rating', RateBody, (ctx, id, b) => rateAppeal(db, ctx, id, b as never, 'follow_up'));

  app.post(
    '/:id/reveal-contact',
    {
      schema: {
        tags,
        summary: 'Show the reporter’s contact to a handling unit (audited)',
        params: IdParams,
        response: { 200: Type.Object({ contactName: Type.Union([Type.String(), Type.Null()]), contactPhone: Type.Union([Type.String(), Type.Null()]) }), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      requireActor(request.actor);
      return revealContact(db, request.ctx(), request.params.id);
    },
  );
};
