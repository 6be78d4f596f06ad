// The one policy module: every access decision in the product is made here.
// A role is always granted over a scope (a territory path, optionally an organisation); a grant
// covers that territory and everything below it. A community worker of X is refused Y's data; a
// district leader sees the whole district.
import { AppError } from '../errors.ts';

export const roles = [
  'resident',
  'grid_worker',
  'community_worker',
  'handler',
  'dispatcher',
  'operator',
  'leader',
  'party_member',
  'admin',
] as const;
export type Role = (typeof roles)[number];

/** Roles that work inside the administration (not residents or plain party members). */
export const staffRoles: readonly Role[] = ['grid_worker', 'community_worker', 'handler', 'dispatcher', 'operator', 'leader', 'admin'];

/** Who may do what. Each module names its actions here, so the whole rule book is one table. */
export const permissions = {
  'territory.read': staffRoles,
  'territory.manage': ['admin'],
  'organisation.read': staffRoles,
  'organisation.manage': ['admin'],
  'account.read': ['admin', 'leader'],
  'account.manage': ['admin'],
  'audit.read': ['admin', 'leader'],
  'calendar.read': staffRoles,
  'calendar.manage': ['admin'],
  /** Every case in a territory (handlers see their own unit's cases through membership instead). */
  'appeal.read': ['leader', 'dispatcher', 'operator', 'community_worker', 'grid_worker', 'admin'],
  /** Enter a case for someone else (hotline, mailbox, patrol, integrations). */
  'appeal.intake': ['operator', 'grid_worker', 'community_worker', 'dispatcher', 'admin'],
  'appeal.dispatch': ['dispatcher'],
  /** Act for a handling unit: sign, reply, return, ask for more time, bring in co-handlers. */
  'appeal.handle': ['handler', 'community_worker', 'grid_worker'],
  'appeal.urge': ['leader', 'dispatcher', 'operator'],
  'appeal.supervise': ['leader', 'dispatcher'],
  'appeal.answer': ['operator'],
  'appeal.follow_up': ['operator', 'dispatcher'],
  'statistics.read': ['leader', 'dispatcher', 'admin', 'community_worker'],
  'category.manage': ['admin'],
  'routing.manage': ['admin'],
  'notification.read': staffRoles,
} as const satisfies Record<string, readonly Role[]>;
export type Action = keyof typeof permissions;

export interface Grant {
  id: string;
  role: Role;
  territoryId: string;
  scopePath: string;
  organisationId: string | null;
}

export interface Actor {
  accountId: string;
  displayName: string;
  grants: Grant[];
  via: 'session' | 'token';
  sessionId?: string;
  tokenId?: string;
}

/** True when `path` is `scope` or lies below it. */
export function pathCovers(scope: string, path: string): boolean {
  return path === scope || (path.length > scope.length && path.startsWith(scope) && path[scope.length] === '.');
}

function grantsFor(actor: Actor, action: Action): Grant[] {
  const allowed: readonly Role[] = permissions[action];
  return actor.grants.filter((g) => allowed.includes(g.role));
}

export function can(actor: Actor | null, action: Action, scopePath: string): boolean {
  if (!actor) return false;
  return grantsFor(actor, action).some((g) => pathCovers(g.scopePath, scopePath));
}

/** Throws 401 for anonymous callers and 403 when no grant covers the scope. */
export function authorize(actor: Actor | null, action: Action, scopePath: string): asserts actor is Actor {
  if (!actor) throw new AppError('unauthenticated');
  if (!can(actor, action, scopePath)) throw new AppError('forbidden', `You may not ${action.replace('.', ' ')} here.`);
}

/** Requires a signed-in caller. */
export function requireActor(actor: Actor | null): asserts actor is Actor {
  if (!actor) throw new AppError('unauthenticated');
}

/**
 * The scopes within which the actor may do `action`, reduced so none covers another: list
 * queries filter by these prefixes. Empty means nowhere.
 */
export function scopesFor(actor: Actor | null, action: Action): string[] {
  if (!actor) return [];
  const paths = [...new Set(grantsFor(actor, action).map((g) => g.scopePath))].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const p of paths) if (!kept.some((k) => pathCovers(k, p))) kept.push(p);
  return kept;
}

/** The actor's most relevant grant for an action at a scope, recorded on events (role, unit). */
export function grantUsed(actor: Actor, action: Action, scopePath: string): Grant | undefined {
  return grantsFor(actor, action)
    .filter((g) => pathCovers(g.scopePath, scopePath))
    .sort((a, b) => b.scopePath.length - a.scopePath.length)[0];
}
