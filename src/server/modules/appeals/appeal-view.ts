// Presenting a case: the public view (tracking code: no identity, no exact place), the staff
// view (contact masked, every field, the actions the caller may take now).
import type { Executor } from '../../db/client.ts';
import { maskName, maskPhone } from '../../lib/mask.ts';
import { can, pathCovers, type Actor } from '../../policy/index.ts';
import { isLeadHandler, isReporter, unitsActedFor, type CaseFacts } from './appeal-access.ts';
import { maxReturns } from './appeal-rules.ts';
import { findAppeal, listAttachments, organisationNames, timelineOf, type AppealRow, type HandlerRow } from './appeals.repository.ts';
import { publicPlaceNames } from '../territories/territories.repository.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;
const round3 = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

/** District, street and community: never the grid or the building. */
async function placeName(db: Executor, path: string): Promise<string> {
  return (await publicPlaceNames(db, [path]))(path, 1).join(' ');
}

export async function presentPublic(db: Executor, appeal: AppealRow, visibilities: readonly string[] = ['public']) {
  const [timeline, attachments, place, parent] = await Promise.all([
    timelineOf(db, appeal.id, visibilities),
    listAttachments(db, appeal.id),
    placeName(db, appeal.territoryPath),
    appeal.parentId ? findAppeal(db, appeal.parentId) : undefined,
  ]);
  const unitIds = [...new Set([appeal.leadOrgId, appeal.dispatchOrgId, ...timeline.map((e) => e.actorOrganisationId)].filter((x): x is string => Boolean(x)))];
  const units = await organisationNames(db, unitIds);
  const unit = (id: string | null) => (id && units.get(id) ? { id, ...units.get(id)! } : null);
  return {
    id: appeal.id,
    code: appeal.code,
    status: appeal.status as never,
    categoryCode: appeal.categoryCode,
    text: appeal.text,
    urgency: appeal.urgency as never,
    channel: appeal.channel as never,
    place,
    approxLon: round3(appeal.lon),
    approxLat: round3(appeal.lat),
    leadUnit: unit(appeal.leadOrgId),
    createdAt: appeal.createdAt.toISOString(),
    replyText: appeal.replyText,
    repliedAt: iso(appeal.repliedAt),
    closedAt: iso(appeal.closedAt),
    rateBy: iso(appeal.rateBy),
    resolution: appeal.resolution,
    satisfaction: appeal.satisfaction,
    parentCode: parent?.code ?? null,
    photos: attachments
      .filter((a) => visibilities.includes(a.visibility))
      .map((a) => ({ id: a.id, mime: a.mime, width: a.width, height: a.height, url: `/api/v1/appeals/${appeal.id}/photos/${a.id}` })),
    timeline: timeline.map((e) => ({
      id: e.id,
      at: e.at.toISOString(),
      action: e.action,
      fromState: e.fromState,
      toState: e.toState,
      note: e.note,
      actorRole: e.actorRole,
      unit: unit(e.actorOrganisationId),
      // Staff timelines keep event data; the public one only what is safe to show.
      data: visibilities.includes('staff') ? e.data : publicData(e.data),
    })),
  };
}

function publicData(data: unknown): unknown {
  if (!data || typeof data !== 'object') return null;
  const { coHandlers, parentCode, until, resolution, satisfaction } = data as Record<string, unknown>;
  return { coHandlers, parentCode, until, resolution, satisfaction };
}

export function allowedActions(actor: Actor | null, appeal: AppealRow, facts: CaseFacts, handlers: HandlerRow[]): string[] {
  const s = appeal.status;
  const lead = isLeadHandler(actor, facts);
  const mine = unitsActedFor(actor, facts.handlerOrgIds);
  const dispatcher = can(actor, 'appeal.dispatch', facts.territoryPath);
  const open = !['closed', 'merged'].includes(s);
  const a: string[] = [];
  if (dispatcher && ['submitted', 'returned'].includes(s)) a.push('dispatch');
  if (lead && ['dispatched', 'reopened'].includes(s)) a.push('sign');
  if (handlers.some((h) => h.role === 'co' && !h.signedAt && mine.includes(h.organisationId))) a.push('sign');
  if (lead && s === 'signed') a.push('start');
  if (mine.length && ['signed', 'in_progress'].includes(s)) a.push('reply');
  if (lead && ['dispatched', 'signed'].includes(s) && appeal.returnCount < maxReturns) a.push('return');
  if (lead && ['signed', 'in_progress'].includes(s) && !appeal.extensionRequestedUntil) a.push('request_extension');
  if (dispatcher && appeal.extensionRequestedUntil) a.push('decide_extension');
  if ((lead || can(actor, 'appeal.supervise', facts.territoryPath)) && ['dispatched', 'signed', 'in_progress', 'reopened'].includes(s)) a.push('escalate');
  if (open && can(actor, 'appeal.urge', facts.territoryPath)) a.push('urge');
  if (open && !appeal.supervised && can(actor, 'appeal.supervise', facts.territoryPath)) a.push('supervise');
  if (dispatcher && ['submitted', 'dispatched', 'returned', 'signed', 'in_progress'].includes(s)) a.push('merge');
  const verifier = actor?.grants.some((g) => ['grid_worker', 'community_worker', 'dispatcher'].includes(g.role) && pathCovers(g.scopePath, facts.territoryPath));
  if (verifier && s === 'replied') a.push('verify');
  if (dispatcher && ['replied', 'verified'].includes(s)) a.push('close');
  if (can(actor, 'appeal.answer', facts.territoryPath) && ['submitted', 'dispatched'].includes(s)) a.push('answer');
  const rateable = ['replied', 'verified', 'closed'].includes(s) && !appeal.ratedAt;
  if (rateable && isReporter(actor, facts)) a.push('rate');
  if (rateable && can(actor, 'appeal.follow_up', facts.territoryPath)) a.push('follow_up');
  if (mine.length) a.push('reveal_contact');
  return [...new Set(a)];
}

export async function presentStaff(db: Executor, actor: Actor | null, appeal: AppealRow, handlers: HandlerRow[], facts: CaseFacts) {
  const base = await presentPublic(db, appeal, ['public', 'staff']);
  const [names, duplicateOf] = await Promise.all([
    organisationNames(db, [appeal.dispatchOrgId]),
    appeal.duplicateOfId ? findAppeal(db, appeal.duplicateOfId) : undefined,
  ]);
  const dispatch = names.get(appeal.dispatchOrgId);
  return {
    ...base,
    territoryPath: appeal.territoryPath,
    lon: appeal.lon,
    lat: appeal.lat,
    address: appeal.address,
    hideIdentity: appeal.hideIdentity,
    contact: { contactName: maskName(appeal.contactName), contactPhone: maskPhone(appeal.contactPhone) },
    dispatchUnit: { id: appeal.dispatchOrgId, nameZh: dispatch?.nameZh ?? '', nameEn: dispatch?.nameEn ?? null },
    handlers: handlers.map((h) => ({ id: h.organisationId, nameZh: h.nameZh, role: h.role, signedAt: iso(h.signedAt), repliedAt: iso(h.repliedAt) })),
    routeRule: appeal.routeRule,
    routeReason: appeal.routeReason,
    duplicateOf: duplicateOf ? { id: duplicateOf.id, code: duplicateOf.code, status: duplicateOf.status } : null,
    signDueAt: iso(appeal.signDueAt),
    replyDueAt: iso(appeal.replyDueAt),
    resolveDueAt: iso(appeal.resolveDueAt),
    deadlineState: appeal.deadlineState,
    escalationLevel: appeal.escalationLevel,
    returnCount: appeal.returnCount,
    extensionCount: appeal.extensionCount,
    extensionRequestedUntil: iso(appeal.extensionRequestedUntil),
    extensionReason: appeal.extensionReason,
    urgeCount: appeal.urgeCount,
    supervised: appeal.supervised,
    reopenCount: appeal.reopenCount,
    signedAt: iso(appeal.signedAt),
    suggestions: appeal.suggestions,
    allowedActions: allowedActions(actor, appeal, facts, handlers),
  };
}
