// The write of an intake as ONE statement: the case, its timeline events, its statistics deltas,
// its lead unit and the notices to the unit's members (and, for an urgent case, to the nearest
// leaders on duty), in data-modifying CTEs. One statement is
// atomic, so no transaction is needed, and it costs one round trip instead of a dozen; concurrent
// intakes share one statement (group commit, db/batcher.ts).
// The rows are exactly those recordAppealChange, setLeadHandler, notifyOrganisation and notifyLeaders write;
// keep them in step when those change.
import type { Executor } from '../../db/client.ts';
import { uuidv7 } from '../../lib/ids.ts';
import { batchedWriter } from '../../db/batcher.ts';
import type { EventInput } from '../events/events.service.ts';
import { defineStatement, runStatement } from '../../db/statements.ts';
import type { AppealInsert, AppealRow } from './appeals.repository.ts';
import { candidatesFromJson, candidatesSql, type CandidateBox, type CandidateCase } from './duplicates.ts';

export interface IntakeNotice {
  organisationId: string;
  kind: string;
  title: string;
  body: string;
}

export interface IntakeWrite {
  appeal: AppealInsert & { code: string; createdAt: Date };
  /** The case's timeline events as appealChangeEvent makes them (subject, actor, time and place come from the case). */
  events: EventInput[];
  /** Statistics deltas (n = 1 each), filed under the unit given. */
  metrics: { metric: string; organisationId: string | null }[];
  /** The calendar day (Asia/Shanghai) the deltas count for. */
  day: string;
  ip: string | null;
  requestId: string | null;
  notice: IntakeNotice;
  /**
   * An urgent case: the territory path and its prefixes, whose nearest leaders on duty get the
   * unit's notice too (as notifyLeaders does); null otherwise.
   */
  leaderPaths: string[] | null;
  /** Where earlier open cases that this one may duplicate lie (duplicates.ts), if anywhere. */
  duplicateBox: CandidateBox | null;
}

/** A written case and the earlier open cases in its duplicate box. */
export interface IntakeWritten {
  appeal: AppealRow;
  /** Null when the case has no box (no pin, or a personal matter): then nothing was read. */
  candidates: CandidateCase[] | null;
}

// The cases arrive as one json array (one element per case, each with its events, deltas and
// notice), so one statement writes a whole group (db/batcher.ts). `ord` keeps the order
// given: events' ids follow it (the timeline sorts by id), notices go by account as
// insertForRecipients orders them. A case whose idempotency key exists is skipped (no row back).
// The statement returns the ids it wrote; the case rows are built from what was written.
const intakeStatement = defineStatement(
  'gz_intake_write',
  `with input as (
     select * from jsonb_to_recordset($cases::jsonb) as c(ord int, id uuid, code text, idempotency_key text, channel text, status text,
       text text, category_code text, urgency text, lon float8, lat float8, address text, territory_id uuid, territory_path text,
       district_code text, hide_identity boolean, contact_name text, contact_phone text, reporter_id uuid, actor_id uuid,
       lead_org_id uuid, dispatch_org_id uuid, route_rule text, route_reason text, sign_due_at timestamptz, reply_due_at timestamptz,
       resolve_due_at timestamptz, dispatched_at timestamptz, suggestions jsonb, now timestamptz, ip text, request_id text,
       events jsonb, metrics jsonb, day date, notice_org_id uuid, notice_kind text, notice_title text, notice_body text,
       leader_paths text[], d_lat float8, d_lon float8, since timestamptz, until timestamptz)
   ), ins as (
     insert into appeals (id, code, idempotency_key, channel, status, text, category_code, urgency, lon, lat, address,
       territory_id, territory_path, district_code, hide_identity, contact_name, contact_phone, reporter_id, created_by,
       lead_org_id, dispatch_org_id, route_rule, route_reason, sign_due_at, reply_due_at, resolve_due_at, dispatched_at,
       suggestions, created_at, updated_at)
     select id, code, idempotency_key, channel, status, text, category_code, urgency, lon, lat, address,
       territory_id, territory_path, district_code, hide_identity, contact_name, contact_phone, reporter_id, actor_id,
       lead_org_id, dispatch_org_id, route_rule, route_reason, sign_due_at, reply_due_at, resolve_due_at, dispatched_at,
       suggestions, now, now
     from input order by ord
     on conflict (idempotency_key) do nothing
     returning id
   ), made as (
     select i.* from input i join ins on ins.id = i.id
   ), ev as (
     insert into events (at, action, subject_type, subject_id, territory_path, actor_id, actor_role, actor_organisation_id,
       ip, request_id, visibility, from_state, to_state, note, data)
     select m.now, e.action, 'appeal', m.id::text, m.territory_path, m.actor_id, null, null,
       m.ip, m.request_id, e.visibility, e.from_state, e.to_state, e.note, e.data
     from made m, jsonb_to_recordset(m.events) as e(ord int, action text, visibility text, from_state text, to_state text, note text, data jsonb)
     order by m.ord, e.ord
   ), deltas as (
     insert into rollup_deltas (day, territory_path, organisation_id, category_code, channel, metric, n)
     select m.day, m.territory_path, d.organisation_id, m.category_code, m.channel, d.metric, 1
     from made m, jsonb_to_recordset(m.metrics) as d(ord int, metric text, organisation_id uuid)
     order by m.ord, d.ord
   ), handler as (
     insert into appeal_handlers (appeal_id, organisation_id, role, added_at, added_by)
     select m.id, m.lead_org_id, 'lead', m.now, null from made m where m.lead_org_id is not null
   ), notices as (
     insert into notifications (account_id, organisation_id, kind, subject_type, subject_id, title, body, data, created_at)
     select r.account_id, m.notice_org_id, m.notice_kind, 'appeal', m.id::text, m.notice_title, m.notice_body, null, m.now
     from made m cross join lateral (
       select distinct g.account_id from role_grants g join accounts a on a.id = g.account_id and a.status = 'active'
       where g.organisation_id = m.notice_org_id
     ) r
     order by m.ord, r.account_id
   ), leaders as (
     insert into notifications (account_id, organisation_id, kind, subject_type, subject_id, title, body, data, created_at)
     select l.account_id, null, m.notice_kind, 'appeal', m.id::text, m.notice_title, m.notice_body, null, m.now
     from made m cross join lateral (
       select distinct c.account_id from (
         select g.account_id, length(g.scope_path) as depth, max(length(g.scope_path)) over () as deepest
         from role_grants g join accounts a on a.id = g.account_id and a.status = 'active'
         where g.role = 'leader' and g.scope_path = any(m.leader_paths)
       ) c where c.depth = c.deepest
     ) l
     where m.leader_paths is not null
     order by m.ord, l.account_id
   )
   select ins.id, ${candidatesSql('i')} as duplicate_candidates
   from ins join input i on i.id = ins.id`,
);

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** The statement's json for one case (but its place in the batch): its row (writtenCase) and what comes with it. */
function caseJson(w: IntakeWrite, a: AppealRow) {
  return {
    id: a.id,
    code: a.code,
    idempotency_key: a.idempotencyKey,
    channel: a.channel,
    status: a.status,
    text: a.text,
    category_code: a.categoryCode,
    urgency: a.urgency,
    lon: a.lon,
    lat: a.lat,
    address: a.address,
    territory_id: a.territoryId,
    territory_path: a.territoryPath,
    district_code: a.districtCode,
    hide_identity: a.hideIdentity,
    contact_name: a.contactName,
    contact_phone: a.contactPhone,
    reporter_id: a.reporterId,
    actor_id: a.createdBy,
    lead_org_id: a.leadOrgId,
    dispatch_org_id: a.dispatchOrgId,
    route_rule: a.routeRule,
    route_reason: a.routeReason,
    sign_due_at: iso(a.signDueAt),
    reply_due_at: iso(a.replyDueAt),
    resolve_due_at: iso(a.resolveDueAt),
    dispatched_at: iso(a.dispatchedAt),
    suggestions: a.suggestions,
    now: a.createdAt.toISOString(),
    ip: w.ip,
    request_id: w.requestId,
    events: w.events.map((e, i) => ({ ord: i, action: e.action, visibility: e.visibility, from_state: e.fromState ?? null, to_state: e.toState ?? null, note: e.note ?? null, data: e.data ?? null })),
    metrics: w.metrics.map((m, i) => ({ ord: i, metric: m.metric, organisation_id: m.organisationId })),
    day: w.day,
    notice_org_id: w.notice.organisationId,
    notice_kind: w.notice.kind,
    notice_title: w.notice.title,
    notice_body: w.notice.body,
    leader_paths: w.leaderPaths,
    d_lat: w.duplicateBox?.d_lat ?? null,
    d_lon: w.duplicateBox?.d_lon ?? null,
    since: w.duplicateBox?.since ?? null,
    until: w.duplicateBox?.until ?? null,
  };
}

/** The case as written: what the write gave, and the columns' defaults for the rest. */
function writtenCase(id: string, a: IntakeWrite['appeal']): AppealRow {
  return {
    id,
    code: a.code,
    idempotencyKey: a.idempotencyKey ?? null,
    channel: a.channel,
    status: a.status,
    text: a.text,
    categoryCode: a.categoryCode ?? null,
    urgency: a.urgency ?? 'normal',
    lon: a.lon ?? null,
    lat: a.lat ?? null,
    address: a.address ?? null,
    territoryId: a.territoryId,
    territoryPath: a.territoryPath,
    districtCode: a.districtCode,
    hideIdentity: a.hideIdentity ?? false,
    contactName: a.contactName ?? null,
    contactPhone: a.contactPhone ?? null,
    reporterId: a.reporterId ?? null,
    createdBy: a.createdBy ?? null,
    leadOrgId: a.leadOrgId ?? null,
    dispatchOrgId: a.dispatchOrgId,
    routeRule: a.routeRule ?? null,
    routeReason: a.routeReason ?? null,
    signDueAt: a.signDueAt ?? null,
    replyDueAt: a.replyDueAt ?? null,
    resolveDueAt: a.resolveDueAt ?? null,
    deadlineState: null,
    escalationLevel: 0,
    dispatchedAt: a.dispatchedAt ?? null,
    signedAt: null,
    repliedAt: null,
    closedAt: null,
    replyText: null,
    returnCount: 0,
    extensionCount: 0,
    extensionRequestedUntil: null,
    extensionReason: null,
    urgeCount: 0,
    supervised: false,
    reopenCount: 0,
    parentId: null,
    duplicateOfId: null,
    resolution: null,
    satisfaction: null,
    ratingComment: null,
    ratedAt: null,
    rateBy: null,
    suggestions: a.suggestions ?? null,
    createdAt: a.createdAt,
    updatedAt: a.createdAt,
  };
}

/** A case ready for a batch: its row as it will be written, and its json for the statement. */
interface PreparedCase {
  write: IntakeWrite;
  appeal: AppealRow;
  /** caseJson, serialised, without its opening brace: the batch puts the case's place there. */
  json: string;
}

/**
 * Makes the case's row (its id too: time-ordered, lib/ids.ts) and its json on the caller's own
 * turn, so that a batch only joins them: while one batch is in the database the next one's
 * cases are being prepared, and the batch itself starts at once.
 */
function prepareCase(write: IntakeWrite): PreparedCase {
  const appeal = writtenCase(uuidv7(), write.appeal);
  return { write, appeal, json: JSON.stringify(caseJson(write, appeal)).slice(1) };
}

/** Writes the cases and everything that comes with them; null for a case whose idempotency key exists already. */
async function writeMany(db: Executor, cases: PreparedCase[]): Promise<(IntakeWritten | null)[]> {
  // The statement returns only which cases it wrote (and their candidates), not every column of each.
  const rows = await runStatement<{ id: string; duplicate_candidates: Parameters<typeof candidatesFromJson>[0] }>(db, intakeStatement, {
    cases: `[${cases.map((c, ord) => `{"ord":${ord},${c.json}`).join(',')}]`,
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return cases.map(({ write, appeal }) => {
    const row = byId.get(appeal.id);
    if (!row) return null;
    return { appeal, candidates: write.duplicateBox ? candidatesFromJson(row.duplicate_candidates) : null };
  });
}

// One group writer per database, one batch in flight (db/batcher.ts; measured: more in flight
// made smaller, dearer batches and no more cases a second). A batch of 64 cases is some 450 rows.
const writeBatched = batchedWriter(writeMany);

/**
 * Writes one case and everything that comes with it, and reads the earlier cases it may
 * duplicate; null when its idempotency key exists already. On the database (not inside a
 * transaction) concurrent calls share statements.
 */
export function writeIntake(db: Executor, w: IntakeWrite): Promise<IntakeWritten | null> {
  return writeBatched(db, prepareCase(w));
}
