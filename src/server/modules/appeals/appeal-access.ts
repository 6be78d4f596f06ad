// Who may do what with one case. The policy module decides by scope; a case adds membership:
// the units handling it (lead and co-handlers), its dispatch centre, and its reporter.
import { AppError } from '../../errors.ts';
import { can, type Action, type Actor, type Role } from '../../policy/index.ts';

export interface CaseFacts {
  territoryPath: string;
  leadOrgId: string | null;
  dispatchOrgId: string;
  reporterId: string | null;
  /** Units handling the case: lead first, then co-handlers. */
  handlerOrgIds: string[];
}

const handlingRoles: readonly Role[] = ['handler', 'community_worker', 'grid_worker'];

/** The units among `orgIds` the actor acts for (holds a handling role in). */
export function unitsActedFor(actor: Actor | null, orgIds: readonly string[]): string[] {
  if (!actor) return [];
  return orgIds.filter((id) => actor.grants.some((g) => g.organisationId === id && handlingRoles.includes(g.role)));
}

export function isHandler(actor: Actor | null, c: CaseFacts): boolean {
  return unitsActedFor(actor, c.handlerOrgIds).length > 0;
}

export function isLeadHandler(actor: Actor | null, c: CaseFacts): boolean {
  return c.leadOrgId !== null && unitsActedFor(actor, [c.leadOrgId]).length > 0;
}

export function isReporter(actor: Actor | null, c: CaseFacts): boolean {
  return actor !== null && c.reporterId !== null && actor.accountId === c.reporterId;
}

/** Staff view: the territory's staff, the handling units and the dispatch centre's staff. */
export function canReadAsStaff(actor: Actor | null, c: CaseFacts): boolean {
  if (!actor) return false;
  return can(actor, 'appeal.read', c.territoryPath) || isHandler(actor, c) || actor.grants.some((g) => g.organisationId === c.dispatchOrgId);
}

export function canAct(actor: Actor | null, action: Action, c: CaseFacts): boolean {
  return can(actor, action, c.territoryPath);
}

export function requireCase(condition: boolean, message: string): void {
  if (!condition) throw new AppError('forbidden', message);
}
