// All SQL of notifications. Fan-outs are one `insert … select` each, inside the caller's
// transaction, so a notice and the change it reports stand or fall together.
import { and, count, desc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../../db/client.ts';
import { notifications } from '../../db/schema.ts';

export type NotificationRow = typeof notifications.$inferSelect;

/** The same notice for every recipient; the recipients come from a query. */
export interface Notice {
  kind: string;
  title: string;
  body: string | null;
  subjectType: string | null;
  subjectId: string | null;
  organisationId: string | null;
  data: Record<string, unknown> | null;
  createdAt: Date;
}

/**
 * Inserts one row per account that `recipients` selects (a query yielding `account_id`, possibly
 * with repeats) and returns how many rows it wrote. Disabled accounts are skipped.
 */
async function insertForRecipients(db: Executor, recipients: SQL, n: Notice, ctes: SQL[] = []): Promise<number> {
  const insert = sql`ins as (
        insert into notifications (account_id, organisation_id, kind, subject_type, subject_id, title, body, data, created_at)
        select r.account_id, ${n.organisationId}::uuid, ${n.kind}, ${n.subjectType}, ${n.subjectId}, ${n.title}, ${n.body},
               ${n.data === null ? null : JSON.stringify(n.data)}::jsonb, ${n.createdAt.toISOString()}::timestamptz
        from (select distinct account_id from (${recipients}) q) r
        join accounts a on a.id = r.account_id and a.status = 'active'
        order by r.account_id
        returning 1
      )`;
  const rows = await queryRows<{ count: number }>(db, sql`with ${sql.join([...ctes, insert], sql`, `)} select count(*)::int as count from ins`);
  return Number(rows[0]?.count ?? 0);
}

export function insertForAccounts(db: Executor, accountIds: readonly string[], n: Notice): Promise<number> {
  const ids = sql.join(
    accountIds.map((id) => sql`(${id}::uuid)`),
    sql`, `,
  );
  return insertForRecipients(db, sql`select v.id as account_id from (values ${ids}) as v(id)`, n);
}

export function insertForOrganisation(
  db: Executor,
  organisationId: string,
  n: Notice,
  filter: { roles?: readonly string[] | undefined; exceptAccountIds?: readonly string[] | undefined },
): Promise<number> {
  const conditions: SQL[] = [sql`g.organisation_id = ${organisationId}::uuid`];
  if (filter.roles) conditions.push(sql`g.role in (${sql.join(filter.roles.map((r) => sql`${r}`), sql`, `)})`);
  if (filter.exceptAccountIds?.length) {
    conditions.push(sql`g.account_id not in (${sql.join(filter.exceptAccountIds.map((id) => sql`${id}::uuid`), sql`, `)})`);
  }
  return insertForRecipients(db, sql`select g.account_id from role_grants g where ${sql.join(conditions, sql` and `)}`, n);
}

/**
 * Leaders whose grant covers `territoryPath` at the nearest level that has one: `ancestors` are
 * the path and its prefixes; the longest scope among the leaders' grants wins.
 */
export function insertForNearestLeaders(db: Executor, ancestors: readonly string[], n: Notice): Promise<number> {
  const paths = sql.join(
    ancestors.map((p) => sql`${p}`),
    sql`, `,
  );
  return insertForRecipients(
    db,
    sql`select account_id from covering where length(scope_path) = (select max(length(scope_path)) from covering)`,
    n,
    [
      sql`covering as (
        select g.account_id, g.scope_path from role_grants g
        join accounts a on a.id = g.account_id and a.status = 'active'
        where g.role = 'leader' and g.scope_path in (${paths})
      )`,
    ],
  );
}

export interface ListFilter {
  unreadOnly?: boolean | undefined;
  /** Cursor: only notifications older than this id. */
  before?: number | undefined;
  limit: number;
}

export function listForAccount(db: Executor, accountId: string, f: ListFilter): Promise<NotificationRow[]> {
  return db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.accountId, accountId),
        f.unreadOnly ? isNull(notifications.readAt) : undefined,
        f.before ? lt(notifications.id, f.before) : undefined,
      ),
    )
    .orderBy(desc(notifications.id))
    .limit(f.limit);
}

/** Marks the account's own unread notifications read; ids of others' notifications match nothing. */
export async function markReadForAccount(db: Executor, accountId: string, ids: readonly number[] | 'all', now: Date): Promise<number> {
  if (ids !== 'all' && ids.length === 0) return 0;
  const rows = await db
    .update(notifications)
    .set({ readAt: now })
    .where(
      and(eq(notifications.accountId, accountId), isNull(notifications.readAt), ids === 'all' ? undefined : inArray(notifications.id, [...ids])),
    )
    .returning({ id: notifications.id });
  return rows.length;
}

export async function countUnread(db: Executor, accountId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.accountId, accountId), isNull(notifications.readAt)));
  return Number(row?.n ?? 0);
}
