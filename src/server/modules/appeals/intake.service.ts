// 发现 → 分拨: one intake pipeline for every channel. Validate, place the case in the territory
// grid, route it, set its deadlines, and write case, lead unit, timeline, statistics and notices
// in one transaction. A retried submission with the same client key returns the first case.
import { asc, inArray, sql } from 'drizzle-orm';
import type { CallContext } from '../../context.ts';
import type { Db, Executor } from '../../db/client.ts';
import { territories } from '../../db/schema.ts';
import { AppError, invalid } from '../../errors.ts';
import { can, type Actor } from '../../policy/index.ts';
import { loadCalendar } from '../calendar/calendar.service.ts';
import { notifyOrganisation } from '../notifications/notifications.service.ts';
import type { TerritoryIndex, TerritorySummary } from '../territories/territory-index.ts';
import { newTrackingCode, staffChannels, type Channel, type Urgency } from './appeal-rules.ts';
import { recordAppealChange } from './appeal-events.ts';
import { findAppealByIdempotencyKey, insertAppeal, insertAttachments, setLeadHandler, type AppealRow } from './appeals.repository.ts';
import { loadCatalogue } from './catalogue.ts';
import { computeDeadlines } from './deadlines.ts';
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

export async function submitAppeal(deps: IntakeDeps, ctx: CallContext, input: IntakeInput): Promise<IntakeResult> {
  const { db } = deps;
  checkChannel(ctx.actor, input);
  const text = input.text.trim();
  if (text.length === 0) throw invalid('/text', 'Describe the problem.');
  const idempotencyKey = input.clientKey ? `${ctx.actor?.accountId ?? `anon:${input.contactPhone}`}:${input.clientKey}` : null;
  if (idempotencyKey) {
    const existing = await findAppealByIdempotencyKey(db, idempotencyKey);
    if (existing) return { appeal: existing, created: false };
  }
  const catalogue = await loadCatalogue(db);
  const categoryCode = input.categoryCode ?? null;
  const category = categoryCode ? catalogue.categories.get(categoryCode) : undefined;
  if (categoryCode && (!category || !category.deptType || !category.active)) throw invalid('/categoryCode', `${categoryCode} is not an active leaf category.`);
  const chain = await locateCase(deps, input.location);
  const place = chain[chain.length - 1]!;
  if (input.channel === 'patrol' && ctx.actor && !can(ctx.actor, 'appeal.intake', place.path)) {
    throw new AppError('forbidden', 'A patrol report must lie within your own grid or community.');
  }
  const route = await routeCase(db, catalogue, chain, categoryCode);
  const calendar = await loadCalendar(db);
  const urgency = input.urgency ?? 'normal';
  const due = computeDeadlines(calendar, ctx.now, urgency, category);
  const district = chain.find((t) => t.level === 'district') ?? place;

  const result = await db.transaction(async (tx) => {
    let appeal: AppealRow | null = null;
    for (let attempt = 0; attempt < 3 && !appeal; attempt++) {
      const values = {
        code: newTrackingCode(),
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
        reporterId: staffChannels.includes(input.channel) ? null : (ctx.actor?.accountId ?? null),
        createdBy: ctx.actor?.accountId ?? null,
        leadOrgId: route.leadOrgId,
        dispatchOrgId: route.dispatchOrgId,
        routeRule: route.rule,
        routeReason: route.reason,
        ...due,
        dispatchedAt: route.leadOrgId ? ctx.now : null,
        suggestions: input.suggestions ?? null,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      };
      // A tracking-code collision (1 in 10^11) is retried inside a savepoint.
      try {
        appeal = await tx.transaction((sp) => insertAppeal(sp, values));
        if (!appeal) return { appeal: (await findAppealByIdempotencyKey(tx, idempotencyKey!))!, created: false };
      } catch (error) {
        if (!String((error as Error).message).includes('appeals_code_key') || attempt === 2) throw error;
      }
    }
    const created = appeal!;
    await recordAppealChange(tx, ctx, created, {
      action: 'appeal.submitted',
      visibility: 'public',
      toState: 'submitted',
      data: { channel: created.channel, urgency },
      metrics: [{ metric: 'received' }],
      metricsOrganisationId: route.leadOrgId,
    });
    if (route.leadOrgId) {
      await setLeadHandler(tx, created.id, route.leadOrgId, null, ctx.now);
      await recordAppealChange(tx, ctx, created, {
        action: 'appeal.dispatched',
        visibility: 'public',
        fromState: 'submitted',
        toState: 'dispatched',
        note: route.reason,
        data: { auto: true, rule: route.rule, leadOrgId: route.leadOrgId },
        metrics: [{ metric: 'dispatched' }],
      });
    } else {
      await recordAppealChange(tx, ctx, created, { action: 'appeal.queued', visibility: 'staff', note: route.reason, data: { dispatchOrgId: route.dispatchOrgId } });
    }
    await insertAttachments(
      tx,
      (input.photos ?? []).map((p) => ({ appealId: created.id, ...p, visibility: 'public', createdBy: ctx.actor?.accountId ?? null, createdAt: ctx.now })),
    );
    const unit = route.leadOrgId ?? route.dispatchOrgId;
    await notifyOrganisation(tx, ctx, unit, {
      kind: urgency === 'urgent' ? 'appeal.urgent' : route.leadOrgId ? 'appeal.to_sign' : 'appeal.to_dispatch',
      title: `${urgency === 'urgent' ? '【紧急】' : ''}新诉求 ${created.code}`,
      body: text.slice(0, 120),
      subjectType: 'appeal',
      subjectId: created.id,
      organisationId: unit,
    });
    return { appeal: created, created: true };
  });
  return result;
}
