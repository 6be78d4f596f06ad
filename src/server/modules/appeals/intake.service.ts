// 发现 → 分拨: one intake pipeline for every channel. Validate, place the case in the territory
// grid, route it, set its deadlines, and write case, lead unit, timeline, statistics and notices
// in one statement (intake-write.ts). A retried submission with the same client key returns the first case.
import { asc, inArray, sql } from 'drizzle-orm';
import type { CallContext } from '../../context.ts';
import type { Db, Executor } from '../../db/client.ts';
import { territories } from '../../db/schema.ts';
import { violates } from '../../db/statements.ts';
import { AppError, invalid } from '../../errors.ts';
import { can, type Actor } from '../../policy/index.ts';
import { loadCalendar } from '../calendar/calendar.service.ts';
import { classifyForIntake } from '../classifier/classifier.service.ts';
import { detectUrgency } from '../classifier/urgency.ts';
import { formatCalendarDate, shanghaiDay } from '../calendar/work-calendar.ts';
import type { TerritoryIndex, TerritorySummary } from '../territories/territory-index.ts';
import { newTrackingCode, staffChannels, type Channel, type Urgency } from './appeal-rules.ts';
import { appealChangeEvent, type AppealChange } from './appeal-events.ts';
import { findAppealByIdempotencyKey, insertAttachments, type AppealRow } from './appeals.repository.ts';
import { candidateBox } from './duplicates.ts';
import { linkDuplicates } from './duplicate-link.ts';
import { coveringPaths } from '../notifications/notifications.service.ts';
import { loadCatalogue } from './catalogue.ts';
import { computeDeadlines } from './deadlines.ts';
import { writeIntake, type IntakeWrite, type IntakeWritten } from './intake-write.ts';
import { routeCase } from './routing.ts';

export interface IntakeLocation {
  lon?: number | undefined;
  lat?: number | undefined;
  address?: string | undefined;
  territoryCode?: string | undefined;
}

export interface IntakeInput {
  text: string;
  categoryCode?: string | null | undefined;
  urgency?: Urgency | undefined;
  location: IntakeLocation;
  contactName?: string | undefined;
  contactPhone?: string | undefined;
  hideIdentity?: boolean | undefined;
  channel: Channel;
  clientKey?: string | undefined;
  /** Photos already checked and stored (see photos/); attached in the intake transaction. */
  photos?: { storageKey: string; mime: string; bytes: number; width: number; height: number }[];
  /** Classifier output to keep on the case for the dispatcher. */
  suggestions?: unknown;
}

export interface IntakeDeps {
  db: Db;
  territoryIndex: TerritoryIndex;
}

export interface IntakeResult {
  appeal: AppealRow;
  /** False when an earlier submission with the same client key was returned. */
  created: boolean;
}

function checkChannel(actor: Actor | null, input: IntakeInput): void {
  if (staffChannels.includes(input.channel) || input.channel === 'api' || input.channel === 'open311') {
    if (!actor) throw new AppError('unauthenticated', `The ${input.channel} channel is for signed-in staff and integrations.`);
    if (!actor.grants.some((g) => can(actor, 'appeal.intake', g.scopePath))) {
      throw new AppError('forbidden', `You may not enter cases for others (channel ${input.channel}).`);
    }
  }
  if (!actor && !input.contactPhone) throw invalid('/contactPhone', 'Without signing in, give a phone number so that we can reply.');
}

async function chainOf(db: Executor, path: string): Promise<TerritorySummary[]> {
  const codes = path.split('.');
  const rows = await db
    .select({ id: territories.id, code: territories.code, level: territories.level, path: territories.path, nameZh: territories.nameZh, nameEn: territories.nameEn })
    .from(territories)
    .where(inArray(territories.code, codes))
    .orderBy(asc(territories.depth));
  return rows;
}

/** Places the case: a map pin, a territory code, or an address naming a community/street/district. */
async function locateCase(deps: IntakeDeps, location: IntakeLocation): Promise<TerritorySummary[]> {
  if (location.lon !== undefined || location.lat !== undefined) {
    if (location.lon === undefined || location.lat === undefined) throw invalid('/location', 'Give both lon and lat.');
    await deps.territoryIndex.ensureFresh();
    const found = deps.territoryIndex.locate(location.lon, location.lat);
    if (!found) throw new AppError('out_of_area', 'The pin lies outside every territory served.', [{ field: '/location', message: 'outside every territory' }]);
    return found.chain;
  }
  if (location.territoryCode) {
    const [t] = await deps.db.select({ path: territories.path }).from(territories).where(sql`${territories.code} = ${location.territoryCode}`);
    if (!t) throw invalid('/location/territoryCode', `No territory has the code ${location.territoryCode}.`);
    return chainOf(deps.db, t.path);
  }
  if (location.address) {
    // No geocoder offline: the deepest territory whose name the address mentions.
    const [t] = await deps.db
      .select({ path: territories.path })
      .from(territories)
      .where(sql`${territories.level} in ('district', 'street', 'community') and length(${territories.nameZh}) >= 2 and position(${territories.nameZh} in ${location.address}) > 0`)
      .orderBy(sql`${territories.depth} desc`, sql`length(${territories.nameZh}) desc`)
      .limit(1);
    if (!t) {
      throw new AppError('out_of_area', 'The address names no community, street or district we serve; add a map pin.', [
        { field: '/location/address', message: 'not placed' },
      ]);
    }
    return chainOf(deps.db, t.path);
  }
  throw invalid('/location', 'Give a map pin (lon, lat), a territory code or an address.');
}

/** What follows a new case, after its write: a probable duplicate is linked or merged (duplicates.ts). */
async function afterIntake(db: Db, ctx: CallContext, { appeal, candidates }: IntakeWritten, level: string | null): Promise<AppealRow> {
  // A pinned case's candidates came with its write; others are looked up (by territory).
  return linkDuplicates(db, ctx, appeal, { level, ...(candidates && { candidates }) });
}

export async function submitAppeal(deps: IntakeDeps, ctx: CallContext, input: IntakeInput): Promise<IntakeResult> {
  const { db } = deps;
  checkChannel(ctx.actor, input);
  const text = input.text.trim();
  if (text.length === 0) throw invalid('/text', 'Describe the problem.');
  // A retry with the same key is found by the write itself (no row comes back), not by a lookup
  // first: retries are rare, and every intake would pay for the lookup.
  const idempotencyKey = input.clientKey ? `${ctx.actor?.accountId ?? `anon:${input.contactPhone}`}:${input.clientKey}` : null;
  const catalogue = await loadCatalogue(db);
  // 秒拨: without a category from the resident, the classifier's is used when it is sure enough
  // (and still an active leaf); otherwise its suggestions wait on the case for the dispatcher.
  const suggested = input.categoryCode ? null : await classifyForIntake(db, text);
  const predicted = suggested?.categoryCode ? catalogue.categories.get(suggested.categoryCode) : undefined;
  const categoryCode = input.categoryCode ?? (predicted?.deptType && predicted.active ? predicted.code : null);
  const category = categoryCode ? catalogue.categories.get(categoryCode) : undefined;
  if (categoryCode && (!category || !category.deptType || !category.active)) throw invalid('/categoryCode', `${categoryCode} is not an active leaf category.`);
  const chain = await locateCase(deps, input.location);
  const place = chain[chain.length - 1]!;
  if (input.channel === 'patrol' && ctx.actor && !can(ctx.actor, 'appeal.intake', place.path)) {
    throw new AppError('forbidden', 'A patrol report must lie within your own grid or community.');
  }
  const route = await routeCase(db, catalogue, chain, categoryCode);
  const calendar = await loadCalendar(db);
  const urgency = input.urgency ?? ((suggested ? suggested.urgent : detectUrgency(text).urgent) ? 'urgent' : 'normal');
  const due = computeDeadlines(calendar, ctx.now, urgency, category);
  const district = chain.find((t) => t.level === 'district') ?? place;

  const unit = route.leadOrgId ?? route.dispatchOrgId;
  // Public steps name the reporter so their live stream shows them (as recordAppealChange does).
  const reporterId = staffChannels.includes(input.channel) ? null : (ctx.actor?.accountId ?? null);
  const duplicateBox = candidateBox({ categoryCode, lat: input.location.lat ?? null, lon: input.location.lon ?? null, createdAt: ctx.now }, category?.level);
  const changes: AppealChange[] = [
    { action: 'appeal.submitted', visibility: 'public', fromState: null, toState: 'submitted', data: { channel: input.channel, urgency } },
    route.leadOrgId
      ? {
          action: 'appeal.dispatched',
          visibility: 'public',
          fromState: 'submitted',
          toState: 'dispatched',
          note: route.reason,
          data: { auto: true, rule: route.rule, leadOrgId: route.leadOrgId, ...(predicted && categoryCode && !input.categoryCode && { categoryBy: 'classifier', confidence: suggested!.confidence }) },
        }
      : { action: 'appeal.queued', visibility: 'staff', note: route.reason, data: { dispatchOrgId: route.dispatchOrgId } },
  ];
  const write = (): IntakeWrite => {
    const code = newTrackingCode();
    // The events and deltas recordAppealChange would write, and the notice notifyOrganisation
    // would. The case's id is made with its row (intake-write.ts); the statement files the events under it.
    const subject = { id: '', code, territoryPath: place.path, leadOrgId: route.leadOrgId, dispatchOrgId: route.dispatchOrgId, reporterId };
    const events = changes.map((change) => appealChangeEvent(subject, change));
    return {
      appeal: {
        code,
        idempotencyKey,
        channel: input.channel,
        status: route.leadOrgId ? 'dispatched' : 'submitted',
        text,
        categoryCode,
        urgency,
        lon: input.location.lon ?? null,
        lat: input.location.lat ?? null,
        address: input.location.address ?? null,
        territoryId: place.id,
        territoryPath: place.path,
        districtCode: district.code,
        hideIdentity: input.hideIdentity ?? false,
        contactName: input.contactName ?? null,
        contactPhone: input.contactPhone ?? null,
        reporterId,
        createdBy: ctx.actor?.accountId ?? null,
        leadOrgId: route.leadOrgId,
        dispatchOrgId: route.dispatchOrgId,
        routeRule: route.rule,
        routeReason: route.reason,
        ...due,
        dispatchedAt: route.leadOrgId ? ctx.now : null,
        suggestions: input.suggestions ?? suggested?.suggestions ?? null,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      },
      events,
      metrics: route.leadOrgId
        ? [
            { metric: 'received', organisationId: route.leadOrgId },
            { metric: 'dispatched', organisationId: route.leadOrgId },
          ]
        : [{ metric: 'received', organisationId: null }],
      day: formatCalendarDate(shanghaiDay(ctx.now)),
      ip: ctx.ip ?? null,
      requestId: ctx.requestId ?? null,
      notice: {
        organisationId: unit,
        kind: urgency === 'urgent' ? 'appeal.urgent' : route.leadOrgId ? 'appeal.to_sign' : 'appeal.to_dispatch',
        title: `${urgency === 'urgent' ? '【紧急】' : ''}新诉求 ${code}`,
        body: text.slice(0, 120),
      },
      leaderPaths: urgency === 'urgent' ? coveringPaths(place.path) : null,
      duplicateBox,
    };
  };
  const photos = input.photos ?? [];
  // A tracking-code collision (1 in 10^11) aborts the statement (and the transaction, with
  // photos); it is simply run again with a new code.
  for (let attempt = 0; ; attempt++) {
    try {
      const written =
        photos.length === 0
          ? await writeIntake(db, write())
          : await db.transaction(async (tx) => {
              const created = await writeIntake(tx, write());
              if (created) {
                await insertAttachments(
                  tx,
                  photos.map((p) => ({ appealId: created.appeal.id, ...p, visibility: 'public', createdBy: ctx.actor?.accountId ?? null, createdAt: ctx.now })),
                );
              }
              return created;
            });
      if (written) return { appeal: await afterIntake(db, ctx, written, category?.level ?? null), created: true };
      // A submission with the same key got in first (earlier, or concurrently: the insert waited for it).
      return { appeal: (await findAppealByIdempotencyKey(db, idempotencyKey!))!, created: false };
    } catch (error) {
      if (attempt >= 2 || !violates(error, 'appeals_code_key')) throw error;
    }
  }
}
