// API tokens resolved to their holders, kept in memory per database. An integration (another
// hotline system, an Open311 client) sends thousands of requests a minute with one token, and
// resolving it costs a round trip each time: on a busy server, as many statements as the intake
// writes themselves. An entry holds while the change counter meta.auth_version stands still;
// migration 0009 moves it on every change to tokens, to accounts' status and names and to role
// grants, whoever makes it. Each process re-reads the counter at most every second, and
// at once after its own changes (credentialsChanged, called by the services that make them,
// after commit). So a revoked token or a withdrawn role stops working at once in the process
// that made the change and within a second in the others. An entry is resolved again after
// `maxAgeMs` anyway (which also moves the token's last_used_at forward). Unknown tokens are not
// kept: a guess costs its own lookup.
import type { Db } from '../../db/client.ts';
import { VersionWatch } from '../../db/versions.ts';

const maxAgeMs = 60_000;
const maxEntries = 10_000;

const watch = new VersionWatch('auth_version', 1000);
/** The entries, a new map whenever they are dropped. */
const entriesOf = watch.cache(async (_db: Db) => new Map<string, { value: unknown; at: number }>());

/** Call after a change to tokens, accounts or role grants has committed: this process drops what it holds. */
export const credentialsChanged = () => watch.changed();

/**
 * The credential `key` names, from memory while it is known to be current, otherwise from
 * `resolve` (null: no such live credential).
 */
export async function cachedCredential<T>(db: Db, key: string, resolve: () => Promise<T | null>, now = Date.now()): Promise<T | null> {
  const entries = await entriesOf(db, { now });
  const hit = entries.get(key);
  if (hit && now - hit.at < maxAgeMs) return hit.value as T;
  const value = await resolve();
  // Into the map the lookup began with: if the entries were dropped meanwhile, its answer goes with them.
  entries.delete(key);
  if (value !== null) {
    entries.set(key, { value, at: now });
    // The oldest entry goes first (a Map keeps insertion order).
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  }
  return value;
}
