// The deadline sweep (every minute, one process at a time through the job runner's advisory
// lock). For each open case it watches the deadline that applies now — sign-by while the case
// waits for a signature, resolve-by while it is in hand — and:
//   - at 80% of the time used marks a warning and tells the unit;
//   - past the deadline marks it overdue, raises its escalation level by one, and tells the unit,
//     the appeals service centre and the leaders one level above the unit;
//   - closes replied cases whose 7 rating days have passed without a rating.
// Every step is guarded by the state it sets, so a rerun (or a second runner) changes nothing.
import { and, asc, inArray, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { CallContext } from '../../context.ts';
import type { Db, Tx } from '../../db/client.ts';
import { appeals } from '../../db/schema.ts';
import { notifyLeaders, notifyOrganisation } from '../notifications/notifications.service.ts';
import { recordAppealChange } from './appeal-events.ts';
import { updateAppealFrom, type AppealRow } from './appeals.repository.ts';
import { closeInTransaction } from './oversight.service.ts';
import { warningShare } from './deadlines.ts';
import type { AppealStatus } from './appeal-rules.ts';

const batch = 500;
const waitingSign: AppealStatus[] = ['dispatched', 'reopened'];
const beingHandled: AppealStatus[] = ['signed', 'in_progress'];

/** The deadline that applies now: sign-by while waiting for a signature, resolve-by in hand. */
const activeDue = sql`case when ${appeals.status} in ('dispatched', 'reopened') then ${appeals.signDueAt} else ${appeals.resolveDueAt} end`;
const activeStart = sql`coalesce(case when ${appeals.status} in ('dispatched', 'reopened') then ${appeals.dispatchedAt} else ${appeals.signedAt} end, ${appeals.createdAt})`;

export interface SweepResult {
  warned: number;
  overdue: number;
  closed: number;
}

export async function sweepDeadlines(db: Db, ctx: CallContext): Promise<SweepResult> {
  const watched = inArray(appeals.status, [...waitingSign, ...beingHandled]);
  const overdue = await db
    .select()
    .from(appeals)
    .where(and(watched, ne(sql`coalesce(${appeals.deadlineState}, '')`, 'overdue'), sql`${activeDue} < ${ctx.now}`))
    .orderBy(asc(appeals.createdAt))
    .limit(batch);
  for (const a of overdue) await markOverdue(db, ctx, a);

  const warned = await db
    .select()
    .from(appeals)
    .where(and(watched, isNull(appeals.deadlineState), sql`${activeStart} + (${activeDue} - ${activeStart}) * ${warningShare} <= ${ctx.now}`))
    .limit(batch);
  for (const a of warned) await markWarning(db, ctx, a);

  const unrated = await db
    .select({ id: appeals.id })
    .from(appeals)
    .where(and(inArray(appeals.status, ['replied', 'verified']), isNull(appeals.ratedAt), lte(appeals.rateBy, ctx.now), or(isNull(appeals.supervised), ne(appeals.supervised, true))))
    .limit(batch);
  for (const { id } of unrated) {
    await db.transaction(async (tx) => {
      const [a] = await tx.select().from(appeals).where(sql`${appeals.id} = ${id}`).for('update');
      if (a && ['replied', 'verified'].includes(a.status) && !a.ratedAt) await closeInTransaction(tx, ctx, a, 'No rating within 7 days: closed.', 'system');
    });
  }
  return { warned: warned.length, overdue: overdue.length, closed: unrated.length };
}

async function markWarning(db: Db, ctx: CallContext, appeal: AppealRow) {
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(appeals)
      .set({ deadlineState: 'warning', updatedAt: ctx.now })
      .where(and(sql`${appeals.id} = ${appeal.id}`, isNull(appeals.deadlineState), inArray(appeals.status, [appeal.status])))
      .returning();
    if (!updated[0]) return;
    await recordAppealChange(tx, ctx, updated[0], { action: 'appeal.deadline_warning', visibility: 'staff', metrics: [{ metric: 'warned' }] });
    const unit = appeal.leadOrgId ?? appeal.dispatchOrgId;
    await notifyOrganisation(tx, ctx, unit, { kind: 'appeal.due_soon', title: `即将超期：诉求 ${appeal.code}`, subjectType: 'appeal', subjectId: appeal.id });
  });
}

async function markOverdue(db: Db, ctx: CallContext, appeal: AppealRow) {
  await db.transaction(async (tx) => {
    let updated: AppealRow;
    try {
      updated = await updateAppealFrom(tx, appeal.id, [appeal.status as AppealStatus], { deadlineState: 'overdue', escalationLevel: appeal.escalationLevel + 1, updatedAt: ctx.now });
    } catch {
      return; // moved on meanwhile; the next sweep looks again
    }
    const which = waitingSign.includes(appeal.status as AppealStatus) ? 'sign' : 'resolve';
    await recordAppealChange(tx, ctx, updated, {
      action: 'appeal.overdue',
      visibility: 'staff',
      note: which === 'sign' ? 'Not signed in time.' : 'Not resolved in time.',
      data: { deadline: which, escalationLevel: updated.escalationLevel },
      metrics: [{ metric: 'overdue' }, { metric: 'escalated' }],
    });
    const notice = { kind: 'appeal.overdue', title: `已超期：诉求 ${appeal.code}（${which === 'sign' ? '未按时签收' : '未按时办结'}）`, subjectType: 'appeal', subjectId: appeal.id };
    if (appeal.leadOrgId) await notifyOrganisation(tx, ctx, appeal.leadOrgId, notice);
    await notifyOrganisation(tx, ctx, appeal.dispatchOrgId, notice, { roles: ['dispatcher'] });
    // One level up per escalation: grid → community → street → district → city leaders (the
    // nearest level that has a leader hears of it).
    const parts = appeal.territoryPath.split('.');
    const upTo = Math.max(1, parts.length - updated.escalationLevel);
    await notifyLeaders(tx, ctx, parts.slice(0, upTo).join('.'), notice);
  });
}

/** The sweep as a periodic job; the runner's transaction holds its lock. */
export const deadlineSweepJob = {
  name: 'appeal-deadlines',
  everyMs: 60_000,
  async run({ db, ctx }: { db: Db | Tx; ctx: CallContext }): Promise<void> {
    await sweepDeadlines(db as Db, ctx);
  },
};
