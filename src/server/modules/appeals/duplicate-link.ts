// 重复诉求, the write: a new case is linked to its most probable duplicate, or merged into it
// (the rules and the search: duplicates.ts). The decision is made from the earlier case as
// intake read it, and written by ONE statement: the new case's row, the timeline events of both
// cases, the statistics delta and the notices, in data-modifying CTEs, as intake-write.ts does.
// Its guards hold it to what the decision saw: the earlier case still in the state read (and
// share-locked until the statement commits, so that it cannot be closed meanwhile and the merged
// report miss the result), the new case untouched since its write. Concurrent links share
// statements (db/batcher.ts). When a guard fails, the link is decided again in a transaction
// with the earlier case locked and read afresh.
// The rows are exactly those recordAppealChange, notifyOrganisation and notifyAccounts write;
// keep them in step when those change.
import type { CallContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import { batchedWriter } from '../../db/batcher.ts';
import { defineStatement, runStatement } from '../../db/statements.ts';
import { formatCalendarDate, shanghaiDay } from '../calendar/work-calendar.ts';
import type { EventInput } from '../events/events.service.ts';
import type { MetricDelta } from '../statistics/metrics.ts';
import { appealChangeEvent, metricsSubject, type AppealChange } from './appeal-events.ts';
import type { AppealStatus } from './appeal-rules.ts';
import { lockAppeal, type AppealRow } from './appeals.repository.ts';
import { duplicateRule, findProbableDuplicates, mergeBar, rankCandidates, type CandidateCase, type DuplicateCandidate } from './duplicates.ts';

/** Cases a new report may duplicate: not closed or merged (the queries say `not in ('closed', 'merged')`, as the index does). */
const candidateStatuses: readonly string[] = ['submitted', 'dispatched', 'signed', 'in_progress', 'replied', 'verified', 'returned', 'reopened'] satisfies AppealStatus[];
/** Cases still being worked on: a new report may be merged into these (not into a replied one: a
 *  new report after the reply may mean the fix did not hold). */
const mergeableParents: readonly string[] = ['submitted', 'dispatched', 'signed', 'in_progress', 'returned', 'reopened'] satisfies AppealStatus[];
/** A new case is merged only while nobody has started on it. */
const mergeableNew: readonly string[] = ['submitted', 'dispatched'] satisfies AppealStatus[];

/** A notice to a unit's members (with one of `roles`, when given) or to some accounts. */
interface LinkNotice {
  organisationId: string | null;
  roles: string[] | null;
  accountIds: string[] | null;
  kind: string;
  title: string;
  body: string | null;
}

/** A decided link or merge: the new case as it will be, and the statement's json for it. */
interface LinkPlan {
  result: AppealRow;
  json: string;
}

/**
 * Decides what `appeal` becomes with `parent` as its best candidate: merged into it, linked to
 * it, or nothing (null) when the parent is itself merged or no longer open.
 */
function planLink(ctx: CallContext, appeal: AppealRow, parent: CandidateCase, best: DuplicateCandidate): LinkPlan | null {
  if (parent.parentId || !candidateStatuses.includes(parent.status)) return null;
  const evidence = { similarity: best.similarity, distanceM: best.distanceM };
  const merge =
    best.similarity >= mergeBar &&
    best.distanceM !== null &&
    mergeableNew.includes(appeal.status) &&
    mergeableParents.includes(parent.status) &&
    // An urgent report is not folded into a case handled at normal pace.
    !(appeal.urgency === 'urgent' && parent.urgency !== 'urgent');
  const changes: { subject: typeof appeal | typeof parent; change: AppealChange }[] = [];
  const notices: LinkNotice[] = [];
  let metrics: MetricDelta[] = [];
  let result: AppealRow;
  if (!merge) {
    result = { ...appeal, duplicateOfId: parent.id, updatedAt: ctx.now };
    changes.push({
      subject: result,
      change: {
        action: 'appeal.duplicate_suspected',
        visibility: 'staff',
        actorRole: 'system',
        note: `疑似与诉求 ${parent.code} 重复（文字相似度 ${best.similarity}${best.distanceM === null ? '，同一网格' : `，相距 ${best.distanceM} 米`}），请分拨员确认是否并案。`,
        data: { duplicateOfId: parent.id, duplicateOfCode: parent.code, ...evidence },
      },
    });
    notices.push({
      organisationId: appeal.dispatchOrgId,
      roles: ['dispatcher'],
      accountIds: null,
      kind: 'appeal.duplicate_suspected',
      title: `疑似重复：诉求 ${appeal.code} 与 ${parent.code}`,
      body: appeal.text.slice(0, 120),
    });
  } else {
    result = { ...appeal, status: 'merged', parentId: parent.id, duplicateOfId: parent.id, leadOrgId: null, updatedAt: ctx.now };
    metrics = [{ metric: 'merged' }];
    changes.push(
      {
        subject: result,
        change: {
          action: 'appeal.merged',
          visibility: 'public',
          fromState: appeal.status,
          toState: 'merged',
          actorRole: 'system',
          note: `同一问题已在办理中（诉求 ${parent.code}），已自动并案，办结后会通知您结果。`,
          data: { parentId: parent.id, parentCode: parent.code, auto: true, ...evidence },
        },
      },
      {
        subject: parent,
        change: {
          action: 'appeal.duplicate_merged',
          visibility: 'staff',
          actorRole: 'system',
          note: `重复诉求 ${appeal.code} 已自动并入本案。`,
          data: { childId: appeal.id, childCode: appeal.code, ...evidence },
        },
      },
    );
    if (appeal.reporterId) {
      notices.push({ organisationId: null, roles: null, accountIds: [appeal.reporterId], kind: 'appeal.merged', title: `您反映的问题已在处理中（诉求 ${parent.code}）`, body: '办结后会通知您结果。' });
    }
    // The unit placed at intake has nothing to do: the parent's unit handles the problem.
    if (appeal.leadOrgId && appeal.leadOrgId !== parent.leadOrgId) {
      notices.push({ organisationId: appeal.leadOrgId, roles: null, accountIds: null, kind: 'appeal.merged', title: `诉求 ${appeal.code} 已自动并入 ${parent.code}，无需另行办理`, body: null });
    }
  }
  const events: EventInput[] = changes.map(({ subject, change }) => appealChangeEvent(subject, change));
  // The delta is filed under the unit placed at intake (the merged case has none now).
  const subject = metricsSubject(appeal, {});
  const json = JSON.stringify({
    child_id: appeal.id,
    child_status: appeal.status,
    parent_id: parent.id,
    parent_status: parent.status,
    parent_urgency: parent.urgency,
    merge,
    now: ctx.now.toISOString(),
    day: formatCalendarDate(shanghaiDay(ctx.now)),
    ip: ctx.ip ?? null,
    request_id: ctx.requestId ?? null,
    events: events.map((e, ord) => ({
      ord,
      subject_id: e.subjectId,
      territory_path: e.territoryPath,
      action: e.action,
      visibility: e.visibility,
      from_state: e.fromState,
      to_state: e.toState,
      note: e.note,
      data: e.data,
      actor_role: e.actorRole,
    })),
    metrics: metrics.map((m, ord) => ({
      ord,
      metric: m.metric,
      n: m.n ?? 1,
      territory_path: subject.territoryPath,
      organisation_id: subject.organisationId,
      category_code: subject.categoryCode,
      channel: subject.channel,
    })),
    notices: notices.map((n, ord) => ({
      ord,
      organisation_id: n.organisationId,
      roles: n.roles,
      account_ids: n.accountIds,
      kind: n.kind,
      subject_id: appeal.id,
      title: n.title,
      body: n.body,
    })),
  });
  return { result, json };
}

// The links arrive as one json array (one element per new case); `ord` keeps their order (the
// timeline sorts events by id; notices go by account as insertForRecipients orders them). A
// parent is share-locked, sorted by id, before it is compared; a parent that is itself a new case
// of the same batch is left out (its own link is being written), so its child is decided again.
// The statement returns the new cases it linked or merged.
const linkStatement = defineStatement(
  'gz_duplicate_link',
  `with input as (
     select * from jsonb_to_recordset($links::jsonb) as l(ord int, child_id uuid, child_status text, parent_id uuid, parent_status text,
       parent_urgency text, merge boolean, now timestamptz, day date, ip text, request_id text, events jsonb, metrics jsonb, notices jsonb)
   ), parents as (
     select p.id, p.status, p.urgency, p.parent_id from appeals p
     where p.id in (select parent_id from input) and p.id not in (select child_id from input)
     order by p.id
     for share
   ), linked as (
     update appeals c set
       status = case when l.merge then 'merged' else c.status end,
       parent_id = case when l.merge then l.parent_id end,
       duplicate_of_id = l.parent_id,
       lead_org_id = case when l.merge then null else c.lead_org_id end,
       updated_at = l.now
     from input l join parents p on p.id = l.parent_id and p.status = l.parent_status and p.urgency = l.parent_urgency and p.parent_id is null
     where c.id = l.child_id and c.status = l.child_status and c.parent_id is null and c.duplicate_of_id is null
     returning c.id
   ), done as (
     select l.* from input l join linked on linked.id = l.child_id
   ), ev as (
     insert into events (at, action, subject_type, subject_id, territory_path, actor_id, actor_role, actor_organisation_id,
       ip, request_id, visibility, from_state, to_state, note, data)
     select d.now, e.action, 'appeal', e.subject_id, e.territory_path, null, e.actor_role, null,
       d.ip, d.request_id, e.visibility, e.from_state, e.to_state, e.note, e.data
     from done d, jsonb_to_recordset(d.events) as e(ord int, subject_id text, territory_path text, action text, visibility text,
       from_state text, to_state text, note text, data jsonb, actor_role text)
     order by d.ord, e.ord
   ), deltas as (
     insert into rollup_deltas (day, territory_path, organisation_id, category_code, channel, metric, n)
     select d.day, m.territory_path, m.organisation_id, m.category_code, m.channel, m.metric, m.n
     from done d, jsonb_to_recordset(d.metrics) as m(ord int, metric text, n int, territory_path text, organisation_id uuid,
       category_code text, channel text)
     order by d.ord, m.ord
   ), notices as (
     insert into notifications (account_id, organisation_id, kind, subject_type, subject_id, title, body, data, created_at)
     select r.account_id, n.organisation_id, n.kind, 'appeal', n.subject_id, n.title, n.body, null, d.now
     from done d, jsonb_to_recordset(d.notices) as n(ord int, organisation_id uuid, roles text[], account_ids uuid[], kind text,
       subject_id text, title text, body text)
     cross join lateral (
       select distinct x.account_id from (
         select g.account_id from role_grants g
         where n.account_ids is null and g.organisation_id = n.organisation_id and (n.roles is null or g.role = any(n.roles))
         union all
         select unnest(n.account_ids)
       ) x join accounts a on a.id = x.account_id and a.status = 'active'
     ) r
     order by d.ord, n.ord, r.account_id
   )
   select child_id as id from done`,
);

/** Writes the links and merges; true for each that was written, false where a guard failed. */
async function writeLinks(db: Executor, plans: LinkPlan[]): Promise<boolean[]> {
  const rows = await runStatement<{ id: string }>(db, linkStatement, { links: `[${plans.map((p, ord) => `{"ord":${ord},${p.json.slice(1)}`).join(',')}]` });
  const written = new Set(rows.map((r) => r.id));
  return plans.map((p) => written.has(p.result.id));
}

// Concurrent links share one statement, one batch in flight, as intakes do.
const writeLink = batchedWriter(writeLinks);

/**
 * Links a new case to its most probable duplicate, or merges it into that case when the
 * similarity clears mergeBar (see duplicates.ts). Call it right after the case is written, in or
 * after the intake's transaction. Returns the case as it now is. Idempotent: a case already
 * linked or merged is returned as is. `level` is the category's level (from the catalogue intake
 * has loaded); read when absent. `candidates`: the earlier cases in the case's box, when the
 * caller has them (intake reads them in its own statement); otherwise they are looked up.
 */
export async function linkDuplicates(
  db: Executor,
  ctx: CallContext,
  appeal: AppealRow,
  options: { level?: string | null; candidates?: CandidateCase[] } = {},
): Promise<AppealRow> {
  if (appeal.duplicateOfId || appeal.parentId || appeal.status === 'merged') return appeal;
  const [best] =
    options.candidates && appeal.categoryCode
      ? rankCandidates(appeal, options.candidates, duplicateRule(appeal.categoryCode, options.level).radiusM)
      : await findProbableDuplicates(db, appeal, options.level);
  if (!best) return appeal;
  // The system decides, not the person who reported: no actor on these events.
  const system: CallContext = { ...ctx, actor: null };
  const plan = planLink(system, appeal, best.appeal, best);
  if (plan && (await writeLink(db, plan))) return plan.result;
  // The earlier case moved on since it was read (or the new one did): decide on it as it is now.
  return db.transaction(async (tx) => {
    const parent = await lockAppeal(tx, best.appeal.id);
    const again = parent && planLink(system, appeal, parent, best);
    return again && (await writeLinks(tx, [again]))[0] ? again.result : appeal;
  });
}
