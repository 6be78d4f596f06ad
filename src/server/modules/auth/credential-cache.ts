// API tokens resolved to their holders, kept in memory per database. An integration (another
// hotline system, an Open311 client) sends thousands of requests a minute with one token, and
// resolving it costs a round trip each time: on a busy server, as many statements as the intake
// writes themselves. An entry holds while the change counter meta.auth_version stands still;
// migration 0009 moves it on every change to tokens, to accounts' status and names and to role
// grants, whoever makes it. Each process re-reads the counter at most every `freshnessMs`, and
// at once after its own changes (credentialsChanged, called by the services that make them,
// after commit). So a revoked token or a withdrawn role stops working at once in the process
// that made the change and within a second in the others. An entry is resolved again after
// `maxAgeMs` anyway (which also moves the token's last_used_at forward). Unknown tokens are not
// kept: a guess costs its own lookup.
import type { Db } from '../../db/client.ts';
import { readVersion } from '../../db/versions.ts';

const versionKey = 'auth_version';
const freshnessMs = 1000;
const maxAgeMs = 60_000;
const maxEntries = 10_000;

interface Cache {
  entries: Map<string, { value: unknown; at: number }>;
  version: number;
  checkedAt: number;
  generation: number;
  /** Moves whenever the entries are dropped: a lookup that started before keeps its answer to itself. */
  epoch: number;
  checking?: Promise<void> | undefined;
}

const caches = new WeakMap<Db, Cache>();
/** Moved by this process's own changes to credentials, so it sees them at once. */
let generation = 0;

/** Call after a change to tokens, accounts or role grants has committed: this process drops what it holds. */
export function credentialsChanged(): void {
  generation++;
}

function check(db: Db, cache: Cache, now: number): Promise<void> {
  cache.checking ??= (async () => {
    const seen = generation;
    // Read before any entry that follows is resolved, so a change committed in between is caught next time.
    const version = await readVersion(db, versionKey);
    if (version !== cache.version || seen !== cache.generation) {
      cache.entries.clear();
      cache.epoch++;
    }
    cache.version = version;
    cache.generation = seen;
    cache.checkedAt = now;
  })().finally(() => {
    cache.checking = undefined;
  });
  return cache.checking;
}

/**
 * The credential `key` names, from memory while it is known to be current, otherwise from
 * `resolve` (null: no such live credential).
 */
export async function cachedCredential<T>(db: Db, key: string, resolve: () => Promise<T | null>, now = Date.now()): Promise<T | null> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = { entries: new Map(), version: -1, checkedAt: 0, generation: -1, epoch: 0 }));
  if (cache.generation !== generation || now - cache.checkedAt >= freshnessMs) {
    await check(db, cache, now);
    // A check already under way may have begun before this process's latest change.
    while (cache.generation !== generation) await check(db, cache, now);
  }
  const hit = cache.entries.get(key);
  if (hit && now - hit.at < maxAgeMs) return hit.value as T;
  const epoch = cache.epoch;
  const value = await resolve();
  cache.entries.delete(key);
  if (value !== null && epoch === cache.epoch) {
    cache.entries.set(key, { value, at: now });
    // The oldest entry goes first (a Map keeps insertion order).
    if (cache.entries.size > maxEntries) cache.entries.delete(cache.entries.keys().next().value!);
  }
  return value;
}
