// 反馈 · 评价: the resident rates the reply within 7 days (or an operator records the answer of
// a follow-up call for phone cases). Not satisfied reopens the case once (重办); a second time
// puts it under supervision for leaders to rule on.
import type { CallContext } from '../../context.ts';
import type { Db } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import { can } from '../../policy/index.ts';
import { loadCalendar } from '../calendar/calendar.service.ts';
import { notifyLeaders, notifyOrganisation } from '../notifications/notifications.service.ts';
import type { Metric } from '../statistics/metrics.ts';
import { isReporter, requireCase } from './appeal-access.ts';
import { recordAppealChange } from './appeal-events.ts';
import { phoneChannels, type AppealStatus, type Channel, type Resolution, type Satisfaction } from './appeal-rules.ts';
import { markHandlers, updateAppealFrom } from './appeals.repository.ts';
import { onCase, requireStatus } from './case-action.ts';
import { loadCatalogue } from './catalogue.ts';
import { closeInTransaction } from './oversight.service.ts';
import { computeDeadlines } from './deadlines.ts';

export interface RatingInput {
  resolution: Resolution;
  satisfaction: Satisfaction;
  comment?: string | undefined;
}

const resolutionMetric: Record<Resolution, Metric | null> = { resolved: 'resolved', partly: 'partly_resolved', unresolved: null };
const satisfactionMetric: Record<Satisfaction, Metric> = { satisfied: 'satisfied', basic: 'basically_satisfied', unsatisfied: 'unsatisfied' };

export async function rateAppeal(db: Db, ctx: CallContext, appealId: string, input: RatingInput, mode: 'resident' | 'follow_up' = 'resident') {
  const [catalogue, calendar] = await Promise.all([loadCatalogue(db), loadCalendar(db)]);
  return onCase(db, ctx, appealId, async ({ tx, appeal, facts }) => {
    if (mode === 'resident') requireCase(isReporter(ctx.actor, facts), 'Only the resident who reported the case rates it.');
    else {
      requireCase(can(ctx.actor, 'appeal.follow_up', facts.territoryPath), 'Only an operator records a follow-up call.');
      if (!phoneChannels.includes(appeal.channel as Channel)) throw new AppError('invalid_state', 'Follow-up calls are recorded for cases that came by phone, letter or in person.');
    }
    const from: AppealStatus[] = ['replied', 'verified', 'closed'];
    requireStatus(appeal, from, 'rate');
    if (appeal.ratedAt) throw new AppError('invalid_state', 'This reply has been rated already.');
    if (appeal.rateBy && ctx.now > appeal.rateBy) throw new AppError('invalid_state', 'The 7 days for rating this reply have passed.');
    const rated = await updateAppealFrom(tx, appeal.id, from, {
      resolution: input.resolution,
      satisfaction: input.satisfaction,
      ratingComment: input.comment ?? null,
      ratedAt: ctx.now,
      updatedAt: ctx.now,
    });
    const metrics: Metric[] = ['rated', satisfactionMetric[input.satisfaction]];
    const r = resolutionMetric[input.resolution];
    if (r) metrics.push(r);
    await recordAppealChange(tx, ctx, rated, {
      action: mode === 'resident' ? 'appeal.rated' : 'appeal.followed_up',
      visibility: 'public',
      note: input.comment ?? null,
      actorRole: mode === 'resident' ? 'resident' : 'operator',
      data: { resolution: input.resolution, satisfaction: input.satisfaction },
      metrics: metrics.map((metric) => ({ metric })),
    });
    if (input.satisfaction !== 'unsatisfied') {
      return rated.status === 'closed' ? rated : closeInTransaction(tx, ctx, rated, null, null);
    }
    if (appeal.reopenCount === 0) {
      // 重办: back to the same lead unit with fresh deadlines; it must sign again.
      const due = computeDeadlines(calendar, ctx.now, appeal.urgency === 'urgent' ? 'urgent' : 'normal', appeal.categoryCode ? catalogue.categories.get(appeal.categoryCode) : undefined);
      const reopened = await updateAppealFrom(tx, appeal.id, from, {
        status: 'reopened',
        reopenCount: 1,
        closedAt: null,
        signedAt: null,
        repliedAt: null,
        rateBy: null,
        deadlineState: null,
        ...due,
        updatedAt: ctx.now,
      });
      if (appeal.leadOrgId) await markHandlers(tx, appeal.id, [appeal.leadOrgId], { signedAt: null, repliedAt: null });
      await recordAppealChange(tx, ctx, reopened, { action: 'appeal.reopened', visibility: 'public', fromState: appeal.status, toState: 'reopened', metrics: [{ metric: 'reopened' }] });
      if (appeal.leadOrgId) {
        await notifyOrganisation(tx, ctx, appeal.leadOrgId, { kind: 'appeal.reopened', title: `重办：诉求 ${appeal.code} 群众不满意`, body: input.comment, subjectType: 'appeal', subjectId: appeal.id });
      }
      return reopened;
    }
    const supervised = await updateAppealFrom(tx, appeal.id, from, { supervised: true, updatedAt: ctx.now });
    await recordAppealChange(tx, ctx, supervised, { action: 'appeal.supervised', visibility: 'staff', note: 'Not satisfied a second time.', metrics: supervised.supervised && !appeal.supervised ? [{ metric: 'supervised' }] : [] });
    await notifyLeaders(tx, ctx, appeal.territoryPath, { kind: 'appeal.supervise', title: `督办：诉求 ${appeal.code} 重办后仍不满意`, body: input.comment, subjectType: 'appeal', subjectId: appeal.id });
    return supervised;
  });
}
