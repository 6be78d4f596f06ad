// What dispatchers, operators and leaders do with a case: dispatch (分拨), decide extensions,
// verify and close, merge duplicates, answer on the spot, urge (催办) and supervise (督办).
import type { CallContext } from '../../context.ts';
import type { Db, Tx } from '../../db/client.ts';
import { AppError, invalid } from '../../errors.ts';
import { can, pathCovers } from '../../policy/index.ts';
import { loadCalendar } from '../calendar/calendar.service.ts';
import { notifyAccounts, notifyLeaders, notifyOrganisation } from '../notifications/notifications.service.ts';
import { requireCase } from './appeal-access.ts';
import { recordAppealChange } from './appeal-events.ts';
import { childrenOf, findAppeal, setLeadHandler, updateAppealFrom, type AppealRow } from './appeals.repository.ts';
import { onCase, requireStatus } from './case-action.ts';
import { loadCatalogue } from './catalogue.ts';
import { computeDeadlines } from './deadlines.ts';
import { findActiveGovernmentUnits } from './units.ts';
import type { AppealStatus } from './appeal-rules.ts';

/** 分拨: a dispatcher places a queued or returned case with a unit serving where it lies. */
export async function dispatchAppeal(db: Db, ctx: CallContext, appealId: string, input: { organisationId: string; categoryCode?: string | undefined; note?: string | undefined }) {
  const catalogue = await loadCatalogue(db);
  const calendar = await loadCalendar(db);
  return onCase(db, ctx, appealId, async ({ tx, appeal, facts }) => {
    requireCase(can(ctx.actor, 'appeal.dispatch', facts.territoryPath), 'Only a dispatcher serving this place may dispatch the case.');
    const from: AppealStatus[] = ['submitted', 'returned'];
    requireStatus(appeal, from, 'dispatch');
    const unit = (await findActiveGovernmentUnits(tx, [input.organisationId])).get(input.organisationId);
    if (!unit) throw invalid('/organisationId', 'Choose an active government unit.');
    if (!pathCovers(unit.territoryPath, appeal.territoryPath)) throw invalid('/organisationId', 'That unit does not serve the place of this case.');
    const categoryCode = input.categoryCode ?? appeal.categoryCode;
    const category = categoryCode ? catalogue.categories.get(categoryCode) : undefined;
    if (input.categoryCode && (!category || !category.deptType)) throw invalid('/categoryCode', `${input.categoryCode} is not an active leaf category.`);
    // The unit's clock starts now: a returned case gives the next unit its full time.
    const due = computeDeadlines(calendar, ctx.now, appeal.urgency === 'urgent' ? 'urgent' : 'normal', category);
    const updated = await updateAppealFrom(tx, appeal.id, from, {
      status: 'dispatched',
      leadOrgId: unit.id,
      categoryCode,
      dispatchedAt: ctx.now,
      ...due,
      deadlineState: null,
      routeRule: 'manual',
      routeReason: input.note ?? 'Dispatched by hand.',
      updatedAt: ctx.now,
    });
    await setLeadHandler(tx, appeal.id, unit.id, ctx.actor!.accountId, ctx.now);
    await recordAppealChange(tx, ctx, updated, {
      action: 'appeal.dispatched',
      visibility: 'public',
      fromState: appeal.status,
      toState: 'dispatched',
      note: input.note ?? null,
      actorRole: 'dispatcher',
      // A corrected category is a training signal for the classifier.
      data: { auto: false, leadOrgId: unit.id, categoryFrom: appeal.categoryCode, categoryTo: categoryCode },
      metrics: [{ metric: 'dispatched' }],
    });
    await notifyOrganisation(tx, ctx, unit.id, { kind: 'appeal.to_sign', title: `新诉求 ${appeal.code}`, body: appeal.text.slice(0, 120), subjectType: 'appeal', subjectId: appeal.id });
    return updated;
  });
}

/** 延期审批: the dispatcher grants or refuses the time asked for; the resident is told of a grant. */
export async function decideExtension(db: Db, ctx: CallContext, appealId: string, input: { approve: boolean; note?: string | undefined }) {
  return onCase(db, ctx, appealId, async ({ tx, appeal, facts }) => {
    requireCase(can(ctx.actor, 'appeal.dispatch', facts.territoryPath), 'Only a dispatcher decides extensions.');
    if (!appeal.extensionRequestedUntil) throw new AppError('invalid_state', 'No extension request is waiting.');
    const until = appeal.extensionRequestedUntil;
    const updated = await updateAppealFrom(tx, appeal.id, [appeal.status as AppealStatus], {
      extensionRequestedUntil: null,
      extensionReason: null,
      ...(input.approve && { replyDueAt: until, resolveDueAt: until, extensionCount: appeal.extensionCount + 1, deadlineState: null }),
      updatedAt: ctx.now,
    });
    await recordAppealChange(tx, ctx, updated, {
      action: input.approve ? 'appeal.extended' : 'appeal.extension_refused',
      visibility: input.approve ? 'public' : 'staff',
      note: input.note ?? (input.approve ? appeal.extensionReason : null),
      actorRole: 'dispatcher',
      data: { until: until.toISOString() },
      metrics: input.approve ? [{ metric: 'extended' }] : [],
    });
    if (appeal.leadOrgId) {
      await notifyOrganisation(tx, ctx, appeal.leadOrgId, { kind: 'appeal.extension_decided', title: `诉求 ${appeal.code} 延期${input.approve ? '已批准' : '未批准'}`, subjectType: 'appeal', subjectId: appeal.id });
    }
    if (input.approve && appeal.reporterId) {
      await notifyAccounts(tx, ctx, [appeal.reporterId], { kind: 'appeal.extended', title: `您的诉求 ${appeal.code} 办理期限延长`, body: appeal.extensionReason ?? undefined, subjectType: 'appeal', subjectId: appeal.id });
    }
    return updated;
  });
}

/** 核实: a grid or community worker (or dispatcher) confirms on site that the fix holds. */
export async function verifyAppeal(db: Db, ctx: CallContext, appealId: string, input: { note?: string | undefined }) {
  return onCase(db, ctx, appealId, async ({ tx, appeal, facts }) => {
    const staff = ctx.actor!.grants.some((g) => ['grid_worker', 'community_worker', 'dispatcher'].includes(g.role) && pathCovers(g.scopePath, facts.territoryPath));
    requireCase(staff, 'Only the grid, the community or a dispatcher of this place verifies a fix.');
    requireStatus(appeal, ['replied'], 'verify');
    const updated = await updateAppealFrom(tx, appeal.id, ['replied'], { status: 'verified', updatedAt: ctx.now });
    await recordAppealChange(tx, ctx, updated, { action: 'appeal.verified', visibility: 'public', fromState: 'replied', toState: 'verified', note: input.note ?? null });
    return updated;
  });
}

/** 办结: the dispatcher closes a replied case; duplicates merged into it are closed with it. */
export async function closeAppeal(db: Db, ctx: CallContext, appealId: string, input: { note?: string | undefined }) {
  return onCase(db, ctx, appealId, async ({ tx, appeal, facts }) => {
    requireCase(can(ctx.actor, 'appeal.dispatch', facts.territoryPath), 'Only a dispatcher closes a case.');
    return closeInTransaction(tx, ctx, appeal, input.note ?? null, 'dispatcher');
  });
}

export async function closeInTransaction(tx: Tx, ctx: CallContext, appeal: AppealRow, note: string | null, role: string | null) {
  const from: AppealStatus[] = ['replied', 'verified'];
  requireStatus(appeal, from, 'close');
  const onTime = !appeal.resolveDueAt || (appeal.repliedAt ?? ctx.now) <= appeal.resolveDueAt;
  const updated = await updateAppealFrom(tx, appeal.id, from, { status: 'closed', closedAt: ctx.now, deadlineState: null, updatedAt: ctx.now });
  await recordAppealChange(tx, ctx, updated, {
    action: 'appeal.closed',
    visibility: 'public',
    fromState: appeal.status,
    toState: 'closed',
    note,
    actorRole: role,
    metrics: [{ metric: 'closed' }, ...(onTime ? [{ metric: 'closed_on_time' as const }] : [])],
  });
  const children = await childrenOf(tx, appeal.id);
  const reporters = children.map((c) => c.reporterId).filter((id): id is string => Boolean(id));
  for (const child of children) {
    await recordAppealChange(tx, ctx, child, { action: 'appeal.parent_closed', visibility: 'public', note: updated.replyText, data: { parentCode: appeal.code } });
  }
  if (reporters.length) {
    await notifyAccounts(tx, ctx, reporters, { kind: 'appeal.closed', title: `您反映的问题已办结（并案 ${appeal.code}）`, body: updated.replyText ?? undefined, subjectType: 'appeal', subjectId: appeal.id });
  }
  return updated;
}

/** 并案: a duplicate follows its parent case; its reporter is told and hears the result. */
export async function mergeAppeal(db: Db, ctx: CallContext, appealId: string, input: { parentId: string }) {
  return onCase(db, ctx, appealId, async ({ tx, appeal, facts }) => {
    requireCase(can(ctx.actor, 'appeal.dispatch', facts.territoryPath), 'Only a dispatcher merges cases.');
    if (input.parentId === appeal.id) throw invalid('/parentId', 'A case cannot be merged into itself.');
    const from: AppealStatus[] = ['submitted', 'dispatched', 'returned', 'signed', 'in_progress'];
    requireStatus(appeal, from, 'merge');
    const parent = await findAppeal(tx, input.parentId);
    if (!parent) throw invalid('/parentId', 'No such case.');
    if (parent.parentId) throw invalid('/parentId', 'That case is itself merged; merge into its parent.');
    if (['closed', 'merged'].includes(parent.status)) throw invalid('/parentId', 'Merge into an open case.');
    if (!can(ctx.actor, 'appeal.dispatch', parent.territoryPath)) throw new AppError('forbidden', 'The parent case lies outside your scope.');
    if ((await childrenOf(tx, appeal.id)).length > 0) throw new AppError('invalid_state', 'This case has duplicates merged into it; merge the other way.');
    const updated = await updateAppealFrom(tx, appeal.id, from, { status: 'merged', parentId: parent.id, leadOrgId: null, updatedAt: ctx.now });
    await recordAppealChange(tx, ctx, updated, {
      action: 'appeal.merged',
      visibility: 'public',
      fromState: appeal.status,
      toState: 'merged',
      note: `已并入诉求 ${parent.code}`,
      actorRole: 'dispatcher',
      data: { parentId: parent.id, parentCode: parent.code },
      metrics: [{ metric: 'merged' }],
      metricsOrganisationId: appeal.leadOrgId,
    });
    if (appeal.reporterId) {
      await notifyAccounts(tx, ctx, [appeal.reporterId], { kind: 'appeal.merged', title: `您反映的问题已在处理中（诉求 ${parent.code}）`, body: '办结后会通知您结果。', subjectType: 'appeal', subjectId: appeal.id });
    }
    return updated;
  });
}

/** 即时办结: an operator answers an enquiry on the phone and closes it at once. */
export async function answerOnTheSpot(db: Db, ctx: CallContext, appealId: string, input: { answer: string }) {
  return onCase(db, ctx, appealId, async ({ tx, appeal, facts }) => {
    requireCase(can(ctx.actor, 'appeal.answer', facts.territoryPath), 'Only a hotline operator answers on the spot.');
    const from: AppealStatus[] = ['submitted', 'dispatched'];
    requireStatus(appeal, from, 'answer on the spot');
    const answer = input.answer.trim();
    if (answer.length < 5) throw invalid('/answer', 'Write the answer given (at least 5 characters).');
    const replied = await updateAppealFrom(tx, appeal.id, from, { status: 'replied', replyText: answer, repliedAt: ctx.now, signedAt: appeal.signedAt ?? ctx.now, updatedAt: ctx.now });
    await recordAppealChange(tx, ctx, replied, { action: 'appeal.answered', visibility: 'public', fromState: appeal.status, toState: 'replied', note: answer, actorRole: 'operator', metrics: [{ metric: 'replied' }, { metric: 'replied_on_time' }] });
    return closeInTransaction(tx, ctx, replied, null, 'operator');
  });
}

/** 催办 and 督办: flags with counts and who set them; the unit (and for 督办 its leaders) hear of it. */
export async function flagAppeal(db: Db, ctx: CallContext, appealId: string, input: { kind: 'urge' | 'supervise'; note?: string | undefined }) {
  return onCase(db, ctx, appealId, async ({ tx, appeal, facts }) => {
    const action = input.kind === 'urge' ? 'appeal.urge' : 'appeal.supervise';
    requireCase(can(ctx.actor, action, facts.territoryPath), input.kind === 'urge' ? 'You may not urge this case.' : 'You may not put this case under supervision.');
    if (['closed', 'merged'].includes(appeal.status)) throw new AppError('invalid_state', `The case is ${appeal.status}.`);
    if (input.kind === 'supervise' && appeal.supervised) throw new AppError('conflict', 'The case is already under supervision.');
    const updated = await updateAppealFrom(tx, appeal.id, [appeal.status as AppealStatus], input.kind === 'urge' ? { urgeCount: appeal.urgeCount + 1, updatedAt: ctx.now } : { supervised: true, updatedAt: ctx.now });
    await recordAppealChange(tx, ctx, updated, {
      action: input.kind === 'urge' ? 'appeal.urged' : 'appeal.supervised',
      visibility: 'staff',
      note: input.note ?? null,
      data: { count: updated.urgeCount },
      metrics: [{ metric: input.kind === 'urge' ? 'urged' : 'supervised' }],
    });
    const unit = appeal.leadOrgId ?? appeal.dispatchOrgId;
    const title = `${input.kind === 'urge' ? '催办' : '督办'}：诉求 ${appeal.code}`;
    await notifyOrganisation(tx, ctx, unit, { kind: `appeal.${input.kind}`, title, body: input.note, subjectType: 'appeal', subjectId: appeal.id });
    if (input.kind === 'supervise') await notifyLeaders(tx, ctx, appeal.territoryPath, { kind: 'appeal.supervise', title, body: input.note, subjectType: 'appeal', subjectId: appeal.id });
    return updated;
  });
}
