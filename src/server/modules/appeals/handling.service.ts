// 处置: what a handling unit does with a case: sign, start, reply, return, ask for more time,
// bring other units in (吹哨), and reveal the reporter's contact (audited).
import type { CallContext } from '../../context.ts';
import type { Db } from '../../db/client.ts';
import { AppError, invalid } from '../../errors.ts';
import { can } from '../../policy/index.ts';
import { notifyAccounts, notifyOrganisation } from '../notifications/notifications.service.ts';
import { maxReturns, ratingWindowDays, type AppealStatus } from './appeal-rules.ts';
import { isLeadHandler, requireCase, unitsActedFor } from './appeal-access.ts';
import { recordAppealChange } from './appeal-events.ts';
import { addCoHandlers, clearLeadHandler, insertAttachments, markHandlers, organisationNames, updateAppealFrom } from './appeals.repository.ts';
import { onCase, requireStatus } from './case-action.ts';
import { findActiveGovernmentUnits } from './units.ts';

type Photo = { storageKey: string; mime: string; bytes: number; width: number; height: number };

/** 签收. The lead unit's signature moves the case; a co-handler's is recorded on its own row. */
export async function signAppeal(db: Db, ctx: CallContext, appealId: string) {
  return onCase(db, ctx, appealId, async ({ tx, appeal, handlers, facts }) => {
    const mine = unitsActedFor(ctx.actor, facts.handlerOrgIds);
    requireCase(mine.length > 0, 'Only a unit handling this case may sign it.');
    if (isLeadHandler(ctx.actor, facts) && ['dispatched', 'reopened'].includes(appeal.status)) {
      const onTime = !appeal.signDueAt || ctx.now <= appeal.signDueAt;
      const updated = await updateAppealFrom(tx, appeal.id, ['dispatched', 'reopened'], { status: 'signed', signedAt: ctx.now, deadlineState: null, updatedAt: ctx.now });
      await markHandlers(tx, appeal.id, [appeal.leadOrgId!], { signedAt: ctx.now });
      await recordAppealChange(tx, ctx, updated, {
        action: 'appeal.signed',
        visibility: 'public',
        fromState: appeal.status,
        toState: 'signed',
        actorRole: 'handler',
        actorOrganisationId: appeal.leadOrgId,
        metrics: [{ metric: 'signed' }, ...(onTime ? [{ metric: 'signed_on_time' as const }] : [])],
      });
      return updated;
    }
    const unsigned = handlers.filter((h) => h.role === 'co' && !h.signedAt && mine.includes(h.organisationId)).map((h) => h.organisationId);
    if (unsigned.length === 0) throw new AppError('invalid_state', 'Nothing to sign: your unit has signed this case already.');
    await markHandlers(tx, appeal.id, unsigned, { signedAt: ctx.now });
    await recordAppealChange(tx, ctx, appeal, { action: 'appeal.co_signed', visibility: 'public', actorRole: 'handler', actorOrganisationId: unsigned[0]!, data: { organisationIds: unsigned } });
    return appeal;
  });
}

export async function startHandling(db: Db, ctx: CallContext, appealId: string) {
  return onCase(db, ctx, appealId, async ({ tx, appeal, facts }) => {
    requireCase(isLeadHandler(ctx.actor, facts), 'Only the lead unit starts handling a case.');
    requireStatus(appeal, ['signed'], 'start handling');
    const updated = await updateAppealFrom(tx, appeal.id, ['signed'], { status: 'in_progress', updatedAt: ctx.now });
    await recordAppealChange(tx, ctx, updated, { action: 'appeal.started', visibility: 'public', fromState: 'signed', toState: 'in_progress', actorRole: 'handler', actorOrganisationId: appeal.leadOrgId });
    return updated;
  });
}

/** 回复: the lead unit reports the result to the resident, who may then rate it for 7 days. */
export async function replyAppeal(db: Db, ctx: CallContext, appealId: string, input: { text: string; photos?: Photo[] }) {
  return onCase(db, ctx, appealId, async ({ tx, appeal, handlers, facts }) => {
    const mine = unitsActedFor(ctx.actor, facts.handlerOrgIds);
    requireCase(mine.length > 0, 'Only a unit handling this case may reply.');
    const text = input.text.trim();
    if (text.length < 5) throw invalid('/text', 'Say what was done (at least 5 characters).');
    if (!isLeadHandler(ctx.actor, facts)) {
      // A co-handler reports its part; the lead unit replies to the resident.
      requireStatus(appeal, ['signed', 'in_progress'], 'report on');
      await markHandlers(tx, appeal.id, mine, { repliedAt: ctx.now });
      await recordAppealChange(tx, ctx, appeal, { action: 'appeal.co_replied', visibility: 'staff', note: text, actorRole: 'handler', actorOrganisationId: mine[0]! });
      return appeal;
    }
    requireStatus(appeal, ['signed', 'in_progress'], 'reply to');
    const waiting = handlers.filter((h) => h.role === 'co' && !h.signedAt);
    if (waiting.length > 0) throw new AppError('invalid_state', `Co-handlers have not signed yet: ${waiting.map((h) => h.nameZh).join('、')}.`);
    const onTime = !appeal.replyDueAt || ctx.now <= appeal.replyDueAt;
    const updated = await updateAppealFrom(tx, appeal.id, ['signed', 'in_progress'], {
      status: 'replied',
      replyText: text,
      repliedAt: ctx.now,
      rateBy: new Date(ctx.now.getTime() + ratingWindowDays * 86_400_000),
      // A new reply waits for a new rating; earlier ratings stay in the timeline.
      ratedAt: null,
      resolution: null,
      satisfaction: null,
      ratingComment: null,
      updatedAt: ctx.now,
    });
    await markHandlers(tx, appeal.id, [appeal.leadOrgId!], { repliedAt: ctx.now });
    await recordAppealChange(tx, ctx, updated, {
      action: 'appeal.replied',
      visibility: 'public',
      fromState: appeal.status,
      toState: 'replied',
      note: text,
      actorRole: 'handler',
      actorOrganisationId: appeal.leadOrgId,
      metrics: [{ metric: 'replied' }, ...(onTime ? [{ metric: 'replied_on_time' as const }] : [])],
    });
    await insertAttachments(tx, (input.photos ?? []).map((p) => ({ appealId: appeal.id, ...p, visibility: 'public', createdBy: ctx.actor!.accountId, createdAt: ctx.now })));
    if (appeal.reporterId) {
      await notifyAccounts(tx, ctx, [appeal.reporterId], { kind: 'appeal.replied', title: `您的诉求 ${appeal.code} 已回复，请评价`, body: text.slice(0, 120), subjectType: 'appeal', subjectId: appeal.id });
    }
    return updated;
  });
}

/** 退单: back to dispatch with a reason; after two returns the dispatcher's ruling is final. */
export async function returnAppeal(db: Db, ctx: CallContext, appealId: string, input: { reason: string }) {
  return onCase(db, ctx, appealId, async ({ tx, appeal, facts }) => {
    requireCase(isLeadHandler(ctx.actor, facts), 'Only the lead unit may return a case.');
    const reason = input.reason.trim();
    if (reason.length < 5) throw invalid('/reason', 'Say why the case is not yours (at least 5 characters).');
    const from: AppealStatus[] = ['dispatched', 'signed'];
    requireStatus(appeal, from, 'return');
    if (appeal.returnCount >= maxReturns) {
      throw new AppError('invalid_state', `This case was returned ${appeal.returnCount} times; the dispatcher's ruling is final (首接负责).`);
    }
    const updated = await updateAppealFrom(tx, appeal.id, from, { status: 'returned', leadOrgId: null, returnCount: appeal.returnCount + 1, signedAt: null, updatedAt: ctx.now });
    await clearLeadHandler(tx, appeal.id);
    await recordAppealChange(tx, ctx, updated, {
      action: 'appeal.returned',
      visibility: 'staff',
      fromState: appeal.status,
      toState: 'returned',
      note: reason,
      actorRole: 'handler',
      actorOrganisationId: appeal.leadOrgId,
      data: { returnedBy: appeal.leadOrgId },
      metrics: [{ metric: 'returned' }],
      metricsOrganisationId: appeal.leadOrgId,
    });
    await notifyOrganisation(tx, ctx, appeal.dispatchOrgId, { kind: 'appeal.returned', title: `诉求 ${appeal.code} 被退回`, body: reason, subjectType: 'appeal', subjectId: appeal.id }, { roles: ['dispatcher'] });
    return updated;
  });
}

/** 延期申请: asked before the deadline; the dispatcher decides. */
export async function requestExtension(db: Db, ctx: CallContext, appealId: string, input: { until: Date; reason: string }) {
  return onCase(db, ctx, appealId, async ({ tx, appeal, facts }) => {
    requireCase(isLeadHandler(ctx.actor, facts), 'Only the lead unit may ask for more time.');
    requireStatus(appeal, ['signed', 'in_progress'], 'extend');
    if (appeal.extensionRequestedUntil) throw new AppError('invalid_state', 'An extension request is already waiting for the dispatcher.');
    if (appeal.resolveDueAt && ctx.now > appeal.resolveDueAt) throw new AppError('invalid_state', 'The deadline has passed; ask before it.');
    if (appeal.resolveDueAt && input.until <= appeal.resolveDueAt) throw invalid('/until', 'Ask for a date after the current deadline.');
    const reason = input.reason.trim();
    if (reason.length < 5) throw invalid('/reason', 'Say why more time is needed (at least 5 characters).');
    const updated = await updateAppealFrom(tx, appeal.id, ['signed', 'in_progress'], { extensionRequestedUntil: input.until, extensionReason: reason, updatedAt: ctx.now });
    await recordAppealChange(tx, ctx, updated, {
      action: 'appeal.extension_requested',
      visibility: 'staff',
      note: reason,
      actorRole: 'handler',
      actorOrganisationId: appeal.leadOrgId,
      data: { until: input.until.toISOString() },
    });
    await notifyOrganisation(tx, ctx, appeal.dispatchOrgId, { kind: 'appeal.extension_requested', title: `诉求 ${appeal.code} 申请延期`, body: reason, subjectType: 'appeal', subjectId: appeal.id }, { roles: ['dispatcher'] });
    return updated;
  });
}

/** 吹哨报到: bring other units in as co-handlers (协办); each must sign too. */
export async function escalateAppeal(db: Db, ctx: CallContext, appealId: string, input: { organisationIds: string[]; note: string }) {
  return onCase(db, ctx, appealId, async ({ tx, appeal, facts }) => {
    requireCase(isLeadHandler(ctx.actor, facts) || can(ctx.actor, 'appeal.supervise', facts.territoryPath), 'Only the lead unit or a leader may call other units in.');
    requireStatus(appeal, ['dispatched', 'signed', 'in_progress', 'reopened'], 'escalate');
    const wanted = [...new Set(input.organisationIds)].filter((id) => id !== appeal.leadOrgId);
    if (wanted.length === 0) throw invalid('/organisationIds', 'Name at least one other unit.');
    const units = await findActiveGovernmentUnits(tx, wanted);
    const missing = wanted.filter((id) => !units.has(id));
    if (missing.length) throw invalid('/organisationIds', `Not active government units: ${missing.join(', ')}.`);
    const added = (await addCoHandlers(tx, appeal.id, wanted, ctx.actor!.accountId, ctx.now, input.note)).map((r) => r.organisationId);
    if (added.length === 0) throw new AppError('conflict', 'These units already handle the case.');
    const names = await organisationNames(tx, added);
    await recordAppealChange(tx, ctx, appeal, {
      action: 'appeal.escalated',
      visibility: 'public',
      note: input.note,
      actorOrganisationId: appeal.leadOrgId,
      data: { coHandlers: added.map((id) => ({ id, nameZh: names.get(id)?.nameZh })), organisationIds: [...added, appeal.leadOrgId] },
      metrics: [{ metric: 'escalated' }],
    });
    for (const id of added) {
      await notifyOrganisation(tx, ctx, id, { kind: 'appeal.co_handle', title: `吹哨报到：请协办诉求 ${appeal.code}`, body: input.note, subjectType: 'appeal', subjectId: appeal.id });
    }
    return appeal;
  });
}

/** Reveals the reporter's contact to a handler of the case; every reveal is audited. */
export async function revealContact(db: Db, ctx: CallContext, appealId: string) {
  return onCase(db, ctx, appealId, async ({ tx, appeal, facts }) => {
    const mine = unitsActedFor(ctx.actor, facts.handlerOrgIds);
    requireCase(mine.length > 0, 'Only the units handling this case may see the contact.');
    await recordAppealChange(tx, ctx, appeal, { action: 'appeal.contact_revealed', visibility: 'audit', actorOrganisationId: mine[0]! });
    return { contactName: appeal.contactName, contactPhone: appeal.contactPhone };
  });
}
