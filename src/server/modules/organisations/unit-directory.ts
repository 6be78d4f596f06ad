// The active government units by territory and type, kept in memory: routing looks units up on
// every intake. A trigger (migration 0004) moves meta.organisations_version on every change to
// organisations, whoever makes it; each process re-reads the counter at most every `freshnessMs`,
// at once when routing misses a unit it needs (a unit just created is not missed), and at once
// after its own changes (unitsChanged, called by the organisations service after commit).
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { organisations } from '../../db/schema.ts';
import { readVersion } from '../../db/versions.ts';

const versionKey = 'organisations_version';
const freshnessMs = 2000;

export interface UnitDirectory {
  /** The active government unit of `type` placed at the territory, if any. */
  find(territoryId: string, type: string): string | undefined;
}

interface Entry {
  units: Map<string, string>;
  generation: number;
  version: number;
  checkedAt: number;
  loading?: Promise<void>;
}

const entries = new WeakMap<Db, Entry>();
/** Moved by this process's own changes to organisations, so it sees them at once. */
let generation = 0;

/** Call after a change to organisations has committed: this process's next lookup re-reads. */
export function unitsChanged(): void {
  generation++;
}
const keyOf = (territoryId: string, type: string) => `${territoryId}|${type}`;

async function reload(db: Db, entry: Entry, now: number): Promise<void> {
  entry.loading ??= (async () => {
    const version = await readVersion(db, versionKey);
    entry.checkedAt = now;
    if (version === entry.version) return;
    // Read after the version, so a change committed in between is caught by the next check.
    const rows = await db
      .select({ id: organisations.id, type: organisations.type, territoryId: organisations.territoryId })
      .from(organisations)
      .where(and(eq(organisations.kind, 'government'), eq(organisations.active, true)));
    const units = new Map<string, string>();
    // Two active units of one type in one territory: the first by id wins, as a query would pick one.
    for (const r of rows.sort((a, b) => (a.id < b.id ? -1 : 1))) if (r.type && !units.has(keyOf(r.territoryId, r.type))) units.set(keyOf(r.territoryId, r.type), r.id);
    entry.units = units;
    entry.version = version;
  })().finally(() => {
    entry.loading = undefined;
  });
  return entry.loading;
}

/**
 * The directory as this process knows it. `verify` checks the change counter now rather than
 * waiting out the freshness window: routing asks for that when a unit it needs is missing.
 */
export async function unitDirectory(db: Db, options: { verify?: boolean; now?: number } = {}): Promise<UnitDirectory> {
  const now = options.now ?? Date.now();
  let entry = entries.get(db);
  if (!entry) entries.set(db, (entry = { units: new Map(), version: -1, checkedAt: 0, generation }));
  if (options.verify || entry.version < 0 || entry.generation !== generation || now - entry.checkedAt >= freshnessMs) {
    entry.generation = generation;
    await reload(db, entry, now);
  }
  const units = entry.units;
  return { find: (territoryId, type) => units.get(keyOf(territoryId, type)) };
}
