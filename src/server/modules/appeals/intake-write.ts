// The write of an intake as ONE statement: the case, its timeline events, its statistics deltas,
// its lead unit and the notices to the unit's members, in data-modifying CTEs. One statement is
// atomic, so no transaction is needed, and it costs one round trip instead of a dozen.
// The rows are exactly those recordAppealChange, setLeadHandler and notifyOrganisation write;
// keep them in step when those change.
import type { Executor } from '../../db/client.ts';
import { appeals } from '../../db/schema.ts';
import { defineStatement, rowMapper, runStatement } from '../../db/statements.ts';
import type { AppealInsert, AppealRow } from './appeals.repository.ts';

/** A timeline event of the new case (subject, actor, time and place come from the case). */
export interface IntakeEvent {
  action: string;
  visibility: string;
  fromState: string | null;
  toState: string | null;
  note: string | null;
  data: Record<string, unknown>;
}

export interface IntakeNotice {
  organisationId: string;
  kind: string;
  title: string;
  body: string;
}

export interface IntakeWrite {
  appeal: AppealInsert & { code: string; createdAt: Date };
  events: IntakeEvent[];
  /** Statistics deltas (n = 1 each), filed under the unit given. */
  metrics: { metric: string; organisationId: string | null }[];
  /** The calendar day (Asia/Shanghai) the deltas count for. */
  day: string;
  ip: string | null;
  requestId: string | null;
  notice: IntakeNotice;
}

// Events and deltas arrive as json arrays; `ord` keeps the events' ids in the order given (the
// timeline sorts by id), as the notices are ordered by account like insertForRecipients does.
const intakeStatement = defineStatement(
  'gz_intake_write',
  `with ins as (
     insert into appeals (code, idempotency_key, channel, status, text, category_code, urgency, lon, lat, address,
       territory_id, territory_path, district_code, hide_identity, contact_name, contact_phone, reporter_id, created_by,
       lead_org_id, dispatch_org_id, route_rule, route_reason, sign_due_at, reply_due_at, resolve_due_at, dispatched_at,
       suggestions, created_at, updated_at)
     values ($code, $idempotencyKey, $channel, $status, $text, $categoryCode, $urgency, $lon::float8, $lat::float8, $address,
       $territoryId::uuid, $territoryPath, $districtCode, $hideIdentity::boolean, $contactName, $contactPhone, $reporterId::uuid, $actorId::uuid,
       $leadOrgId::uuid, $dispatchOrgId::uuid, $routeRule, $routeReason, $signDueAt::timestamptz, $replyDueAt::timestamptz,
       $resolveDueAt::timestamptz, $dispatchedAt::timestamptz, $suggestions::jsonb, $now::timestamptz, $now::timestamptz)
     on conflict (idempotency_key) do nothing
     returning *
   ), ev as (
     insert into events (at, action, subject_type, subject_id, territory_path, actor_id, actor_role, actor_organisation_id,
       ip, request_id, visibility, from_state, to_state, note, data)
     select ins.created_at, e.action, 'appeal', ins.id::text, ins.territory_path, $actorId::uuid, null, null,
       $ip, $requestId, e.visibility, e.from_state, e.to_state, e.note, e.data
     from ins, jsonb_to_recordset($events::jsonb) as e(ord int, action text, visibility text, from_state text, to_state text, note text, data jsonb)
     order by e.ord
   ), deltas as (
     insert into rollup_deltas (day, territory_path, organisation_id, category_code, channel, metric, n)
     select $day::date, ins.territory_path, m.organisation_id, ins.category_code, ins.channel, m.metric, 1
     from ins, jsonb_to_recordset($metrics::jsonb) as m(ord int, metric text, organisation_id uuid)
     order by m.ord
   ), handler as (
     insert into appeal_handlers (appeal_id, organisation_id, role, added_at, added_by)
     select ins.id, ins.lead_org_id, 'lead', ins.created_at, null from ins where ins.lead_org_id is not null
   ), notices as (
     insert into notifications (account_id, organisation_id, kind, subject_type, subject_id, title, body, data, created_at)
     select r.account_id, $noticeOrgId::uuid, $noticeKind, 'appeal', ins.id::text, $noticeTitle, $noticeBody, null, ins.created_at
     from ins, (select distinct g.account_id from role_grants g where g.organisation_id = $noticeOrgId::uuid) r
       join accounts a on a.id = r.account_id and a.status = 'active'
     order by r.account_id
   )
   select * from ins`,
);

const toAppeal = rowMapper(appeals);

const byIdempotencyKey = defineStatement('gz_appeal_by_idempotency_key', 'select * from appeals where idempotency_key = $key');

/** The case an earlier submission with this key created, if any. */
export async function findByIdempotencyKey(db: Executor, key: string): Promise<AppealRow | undefined> {
  const [row] = await runStatement<Record<string, unknown>>(db, byIdempotencyKey, { key });
  return row ? toAppeal(row) : undefined;
}
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** Writes the case and everything that comes with it; null when the idempotency key exists already. */
export async function writeIntake(db: Executor, w: IntakeWrite): Promise<AppealRow | null> {
  const a = w.appeal;
  const rows = await runStatement<Record<string, unknown>>(db, intakeStatement, {
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
    actorId: a.createdBy ?? null,
    leadOrgId: a.leadOrgId ?? null,
    dispatchOrgId: a.dispatchOrgId,
    routeRule: a.routeRule ?? null,
    routeReason: a.routeReason ?? null,
    signDueAt: iso(a.signDueAt),
    replyDueAt: iso(a.replyDueAt),
    resolveDueAt: iso(a.resolveDueAt),
    dispatchedAt: iso(a.dispatchedAt),
    suggestions: a.suggestions === undefined || a.suggestions === null ? null : JSON.stringify(a.suggestions),
    now: a.createdAt.toISOString(),
    ip: w.ip,
    requestId: w.requestId,
    events: JSON.stringify(
      w.events.map((e, ord) => ({ ord, action: e.action, visibility: e.visibility, from_state: e.fromState, to_state: e.toState, note: e.note, data: e.data })),
    ),
    metrics: JSON.stringify(w.metrics.map((m, ord) => ({ ord, metric: m.metric, organisation_id: m.organisationId }))),
    day: w.day,
    noticeOrgId: w.notice.organisationId,
    noticeKind: w.notice.kind,
    noticeTitle: w.notice.title,
    noticeBody: w.notice.body,
  });
  return rows[0] ? toAppeal(rows[0]) : null;
}
