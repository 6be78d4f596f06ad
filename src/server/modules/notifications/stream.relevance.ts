// Who gets which live update. Pure functions over the viewer (an Actor with their grants) and a
// row, so they are easy to test and to extend: add a rule here, and add the subject type to
// `streamedSubjects` for the poller to read it.
import { can, staffRoles, type Actor } from '../../policy/index.ts';

/** Event subjects the stream carries; the SSE event name is the subject type (`event: appeal`). */
export const streamedSubjects: readonly string[] = ['appeal'];
/** Audit-only events never leave the audit API. */
export const streamedVisibilities: readonly string[] = ['public', 'staff'];

export interface StreamEvent {
  id: number;
  at: Date;
  action: string;
  subjectType: string;
  subjectId: string | null;
  territoryPath: string | null;
  actorRole: string | null;
  actorOrganisationId: string | null;
  visibility: string;
  fromState: string | null;
  toState: string | null;
  note: string | null;
  /**
   * Read by the rules below when present: `organisationIds` (units involved: lead, co-handlers,
   * the dispatch centre) and `accountIds` (people concerned, e.g. the reporter, who see public steps).
   */
  data: Record<string, unknown> | null;
}

export interface StreamNotification {
  accountId: string;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function isStreamedEvent(e: Pick<StreamEvent, 'subjectType' | 'visibility'>): boolean {
  return streamedSubjects.includes(e.subjectType) && streamedVisibilities.includes(e.visibility);
}

/** Units the event names as involved, including the unit the actor acted for. */
export function involvedUnits(e: StreamEvent): Set<string> {
  const units = new Set(strings(e.data?.organisationIds));
  if (e.actorOrganisationId) units.add(e.actorOrganisationId);
  return units;
}

export function eventIsRelevant(viewer: Actor, e: StreamEvent): boolean {
  if (!isStreamedEvent(e)) return false;
  // People the event concerns (the reporter) follow the public steps of their case.
  if (e.visibility === 'public' && strings(e.data?.accountIds).includes(viewer.accountId)) return true;
  // Staff who may read every case where it happened (leaders, dispatchers, workers of the area).
  if (e.territoryPath && can(viewer, 'appeal.read', e.territoryPath)) return true;
  // Staff of a unit involved in the case (handlers see their unit's cases through membership).
  const units = involvedUnits(e);
  return units.size > 0 && viewer.grants.some((g) => g.organisationId !== null && staffRoles.includes(g.role) && units.has(g.organisationId));
}

export function notificationIsRelevant(viewer: Actor, n: StreamNotification): boolean {
  return n.accountId === viewer.accountId;
}

/** What an SSE client receives for an event (no ip, actor id or free-form data). */
export function presentStreamEvent(e: StreamEvent) {
  return {
    id: e.id,
    at: e.at.toISOString(),
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    territoryPath: e.territoryPath,
    actorRole: e.actorRole,
    visibility: e.visibility,
    fromState: e.fromState,
    toState: e.toState,
    note: e.note,
  };
}
