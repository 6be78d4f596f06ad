// In-app notifications: one row per recipient, so everyone has their own read state. Other
// modules call the notify* functions inside their own transaction (pass the transaction as `db`);
// each is one `insert … select`, however many recipients a unit has. Disabled accounts are skipped.
// The SSE stream (stream.hub.ts) picks new rows up within about a second.
import type { CallContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import type { Role } from '../../policy/index.ts';
import {
  countUnread,
  insertForAccounts,
  insertForNearestLeaders,
  insertForOrganisation,
  listForAccount,
  markReadForAccount,
  type Notice,
  type NotificationRow,
} from './notifications.repository.ts';

export interface NotificationInput {
  /** What happened, dotted like event actions: `appeal.dispatched`, `appeal.overdue`, … */
  kind: string;
  title: string;
  body?: string | null | undefined;
  subjectType?: string | null | undefined;
  subjectId?: string | null | undefined;
  /** The unit on whose behalf the notice is sent (notifyOrganisation defaults it to the unit). */
  organisationId?: string | null | undefined;
  data?: Record<string, unknown> | null | undefined;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkUuid(value: string, what: string): void {
  // A malformed id would abort the caller's whole transaction inside PostgreSQL; fail clearly here.
  if (!uuidPattern.test(value)) throw new Error(`notifications: ${what} is not a uuid: ${JSON.stringify(value)}`);
}

function notice(ctx: CallContext, n: NotificationInput, organisationId: string | null = null): Notice {
  if (!n.kind || !n.title) throw new Error('notifications: kind and title are required');
  const org = n.organisationId ?? organisationId;
  if (org) checkUuid(org, 'organisationId');
  return {
    kind: n.kind,
    title: n.title,
    body: n.body ?? null,
    subjectType: n.subjectType ?? null,
    subjectId: n.subjectId ?? null,
    organisationId: org,
    data: n.data ?? null,
    createdAt: ctx.now,
  };
}

/** Notifies these accounts (duplicates and unknown or disabled accounts are skipped). Returns rows written. */
export async function notifyAccounts(db: Executor, ctx: CallContext, accountIds: readonly string[], n: NotificationInput): Promise<number> {
  const ids = [...new Set(accountIds)];
  if (ids.length === 0) return 0;
  ids.forEach((id) => checkUuid(id, 'accountId'));
  return insertForAccounts(db, ids, notice(ctx, n));
}

export interface OrganisationNoticeOptions {
  /** Only members holding one of these roles in the unit (default: every member). */
  roles?: readonly Role[];
  /** Members not to notify, e.g. the person whose action the notice reports. */
  exceptAccountIds?: readonly string[];
}

/**
 * Notifies the members of a unit: the accounts holding a role grant with that organisation_id
 * (optionally only some roles). Returns rows written.
 */
export async function notifyOrganisation(
  db: Executor,
  ctx: CallContext,
  organisationId: string,
  n: NotificationInput,
  options: OrganisationNoticeOptions = {},
): Promise<number> {
  checkUuid(organisationId, 'organisationId');
  if (options.roles && options.roles.length === 0) return 0;
  options.exceptAccountIds?.forEach((id) => checkUuid(id, 'exceptAccountIds'));
  return insertForOrganisation(db, organisationId, notice(ctx, n, organisationId), options);
}

/** `a.b.c` → `['a', 'a.b', 'a.b.c']`: the scopes that cover a territory path. */
export function coveringPaths(territoryPath: string): string[] {
  const parts = territoryPath.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

/**
 * Notifies the leaders nearest to a territory: those whose 'leader' grant covers the path at the
 * deepest level that has any (the street's leaders if the street has one, else the district's, …).
 * Returns rows written (0 when no level up to the city has a leader).
 */
export async function notifyLeaders(db: Executor, ctx: CallContext, territoryPath: string, n: NotificationInput): Promise<number> {
  if (!territoryPath) return 0;
  return insertForNearestLeaders(db, coveringPaths(territoryPath), notice(ctx, n));
}

export interface ListOptions {
  unreadOnly?: boolean | undefined;
  /** Cursor: notifications older than this id (the previous page's `nextBefore`). */
  before?: number | undefined;
  limit?: number | undefined;
}

/** The account's notifications, newest first, with the cursor of the next page (null at the end). */
export async function listNotifications(
  db: Executor,
  accountId: string,
  options: ListOptions = {},
): Promise<{ items: NotificationRow[]; nextBefore: number | null }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const items = await listForAccount(db, accountId, { unreadOnly: options.unreadOnly, before: options.before, limit });
  return { items, nextBefore: items.length === limit ? items[items.length - 1]!.id : null };
}

/** Marks the account's own notifications read (others' ids are ignored). Returns how many changed. */
export function markRead(db: Executor, accountId: string, ids: readonly number[] | 'all', now: Date = new Date()): Promise<number> {
  return markReadForAccount(db, accountId, ids, now);
}

export function unreadCount(db: Executor, accountId: string): Promise<number> {
  return countUnread(db, accountId);
}

export function presentNotification(n: NotificationRow) {
  return {
    id: n.id,
    kind: n.kind,
    title: n.title,
    body: n.body,
    subjectType: n.subjectType,
    subjectId: n.subjectId,
    organisationId: n.organisationId,
    data: n.data ?? null,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt ? n.readAt.toISOString() : null,
  };
}

export type { NotificationRow };
