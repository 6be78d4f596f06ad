// SQL for accounts' credentials, sessions, API tokens and role grants.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { accounts, sessions, territories } from '../../db/schema.ts';
import { defineStatement, runStatement } from '../../db/statements.ts';
import type { Grant } from '../../policy/index.ts';

export type AccountRow = typeof accounts.$inferSelect;

export const phonePattern = /^1[3-9]\d{9}$/;

export async function findAccountByIdentifier(db: Executor, identifier: string): Promise<AccountRow | undefined> {
  const column = phonePattern.test(identifier) ? accounts.phone : accounts.username;
  const value = phonePattern.test(identifier) ? identifier : identifier.toLowerCase();
  const [row] = await db.select().from(accounts).where(eq(column, value)).limit(1);
  return row;
}

export async function findAccountById(db: Executor, id: string): Promise<AccountRow | undefined> {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id)).limit(1);
  return row;
}

// Every authenticated request resolves its caller, so these run as fixed statements (see
// db/statements.ts). Grants come ordered by scope path, as json objects shaped like Grant.
const grantsJson = `coalesce((select json_agg(json_build_object('id', g.id, 'role', g.role, 'territoryId', g.territory_id,
    'scopePath', g.scope_path, 'organisationId', g.organisation_id) order by g.scope_path)
  from role_grants g where g.account_id = a.id), '[]'::json)`;

const grantsStatement = defineStatement('gz_auth_grants', `select ${grantsJson} as grants from accounts a where a.id = $accountId::uuid`);

export async function loadGrants(db: Executor, accountId: string): Promise<Grant[]> {
  const [row] = await runStatement<{ grants: Grant[] }>(db, grantsStatement, { accountId });
  return row?.grants ?? [];
}

/** A resolved credential: its id, its account and the account's grants. */
export interface LiveCredential {
  id: string;
  accountId: string;
  displayName: string;
  grants: Grant[];
}

// One round trip: the live token (not revoked, account active) with its grants, and lastUsedAt
// refreshed when older than $staleBefore (so reads do not write on every request).
const tokenStatement = defineStatement(
  'gz_auth_token',
  `with found as (
     select t.id, t.rate_limit_per_minute, a.id as account_id, a.display_name, ${grantsJson} as grants
     from api_tokens t join accounts a on a.id = t.account_id
     where t.token_hash = $tokenHash and t.revoked_at is null and a.status = 'active'
     limit 1
   ), touched as (
     update api_tokens set last_used_at = $now::timestamptz
     where id = (select id from found) and (last_used_at is null or last_used_at < $staleBefore::timestamptz)
   )
   select * from found`,
);

interface CredentialRow {
  id: string;
  account_id: string;
  display_name: string;
  grants: Grant[];
}

const credential = (row: CredentialRow): LiveCredential => ({ id: row.id, accountId: row.account_id, displayName: row.display_name, grants: row.grants });

export async function resolveApiToken(
  db: Executor,
  tokenHash: string,
  now: Date,
  staleBefore: Date,
): Promise<(LiveCredential & { rateLimitPerMinute: number | null }) | null> {
  const [row] = await runStatement<CredentialRow & { rate_limit_per_minute: number | null }>(db, tokenStatement, {
    tokenHash,
    now: now.toISOString(),
    staleBefore: staleBefore.toISOString(),
  });
  return row ? { ...credential(row), rateLimitPerMinute: row.rate_limit_per_minute } : null;
}

// The same for a session cookie: live means not revoked, not expired and the account active;
// lastSeenAt and the sliding expiry are moved forward when lastSeenAt is older than $staleBefore.
const sessionStatement = defineStatement(
  'gz_auth_session',
  `with found as (
     select s.id, a.id as account_id, a.display_name, ${grantsJson} as grants
     from sessions s join accounts a on a.id = s.account_id
     where s.token_hash = $tokenHash and s.revoked_at is null and s.expires_at > $now::timestamptz and a.status = 'active'
     limit 1
   ), touched as (
     update sessions set last_seen_at = $now::timestamptz, expires_at = $expiresAt::timestamptz
     where id = (select id from found) and last_seen_at < $staleBefore::timestamptz
   )
   select * from found`,
);

export async function resolveSession(db: Executor, tokenHash: string, now: Date, staleBefore: Date, expiresAt: Date): Promise<LiveCredential | null> {
  const [row] = await runStatement<CredentialRow>(db, sessionStatement, {
    tokenHash,
    now: now.toISOString(),
    staleBefore: staleBefore.toISOString(),
    expiresAt: expiresAt.toISOString(),
  });
  return row ? credential(row) : null;
}

export async function insertSession(
  db: Executor,
  values: { tokenHash: string; accountId: string; ip: string | null; userAgent: string | null; now: Date; expiresAt: Date },
) {
  const [row] = await db
    .insert(sessions)
    .values({
      tokenHash: values.tokenHash,
      accountId: values.accountId,
      ip: values.ip,
      userAgent: values.userAgent,
      createdAt: values.now,
      lastSeenAt: values.now,
      expiresAt: values.expiresAt,
    })
    .returning();
  return row!;
}

/** The root of the territory tree (the city), where residents' own role is scoped. */
export async function findRootTerritory(db: Executor) {
  const [row] = await db
    .select({ id: territories.id, path: territories.path })
    .from(territories)
    .where(isNull(territories.parentId))
    .orderBy(asc(territories.path))
    .limit(1);
  return row;
}

export async function revokeSessionsOf(db: Executor, accountId: string, now: Date): Promise<number> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.accountId, accountId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.length;
}

export const countSql = sql<number>`count(*)::int`;
