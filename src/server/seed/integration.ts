// A demo integration: an account that enters cases for others (hotline operator role, the
// whole city) and an API token with a FIXED, published key and no rate limit, so Open311
// clients and the intake benchmark work against a fresh demo at once. The key is listed in
// the README: revoke it (DELETE /api/v1/accounts/{id}/tokens/{tokenId}) on any server others
// can reach. Idempotent: a rerun finds account and token and changes nothing.
import { eq } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { accounts, apiTokens, roleGrants, territories } from '../db/schema.ts';
import { apiTokenRow } from '../modules/auth/auth.service.ts';

/** The demo Open311 `api_key` (also usable as `Authorization: Bearer …`). */
export const demoIntegrationKey = 'gzt_open311_demo_Gongzhi2026';
export const demoIntegrationUsername = 'open311_demo';
const cityCode = '440300';

/** Creates the demo integration account and its key when missing; returns how many rows were created. */
export async function insertDemoIntegration(db: Executor): Promise<number> {
  let created = 0;
  let [account] = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.username, demoIntegrationUsername));
  if (!account) {
    const [city] = await db.select({ id: territories.id, path: territories.path }).from(territories).where(eq(territories.code, cityCode));
    if (!city) throw new Error(`seed: territory ${cityCode} for ${demoIntegrationUsername} is missing`);
    // No password can match this hash: the account signs in only with its API token.
    [account] = await db
      .insert(accounts)
      .values({ username: demoIntegrationUsername, displayName: '演示集成（Open311 客户端）', passwordHash: '!token-only' })
      .returning({ id: accounts.id });
    await db.insert(roleGrants).values({ accountId: account!.id, role: 'operator', territoryId: city.id, scopePath: city.path }).onConflictDoNothing();
    created++;
  }
  const tokens = await db
    .insert(apiTokens)
    .values(apiTokenRow(demoIntegrationKey, { accountId: account!.id, name: 'Open311 demo key (published: revoke outside demos)', rateLimitPerMinute: null }))
    .onConflictDoNothing()
    .returning({ id: apiTokens.id });
  return created + tokens.length;
}
