// The active government units by territory and type, kept in memory: routing looks units up on
// every intake. A trigger (migration 0004) moves meta.organisations_version on every change to
// organisations, whoever makes it; each process re-reads the counter at most every 2 s,
// at once when routing misses a unit it needs (a unit just created is not missed), and at once
// after its own changes (unitsChanged, called by the organisations service after commit).
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { organisations } from '../../db/schema.ts';
import { VersionWatch } from '../../db/versions.ts';

const watch = new VersionWatch('organisations_version', 2000);

export interface UnitDirectory {
  /** The active government unit of `type` placed at the territory, if any. */
  find(territoryId: string, type: string): string | undefined;
}

/** Call after a change to organisations has committed: this process's next lookup re-reads. */
export const unitsChanged = () => watch.changed();

const keyOf = (territoryId: string, type: string) => `${territoryId}|${type}`;

const unitsOf = watch.cache(async (db: Db) => {
  const rows = await db
    .select({ id: organisations.id, type: organisations.type, territoryId: organisations.territoryId })
    .from(organisations)
    .where(and(eq(organisations.kind, 'government'), eq(organisations.active, true)));
  const units = new Map<string, string>();
  // Two active units of one type in one territory: the first by id wins, as a query would pick one.
  for (const r of rows.sort((a, b) => (a.id < b.id ? -1 : 1))) if (r.type && !units.has(keyOf(r.territoryId, r.type))) units.set(keyOf(r.territoryId, r.type), r.id);
  return units;
});

/**
 * The directory as this process knows it. `verify` reads the change counter now rather than
 * waiting out the freshness window: routing asks for that when a unit it needs is missing.
 */
export async function unitDirectory(db: Db, options: { verify?: boolean; now?: number } = {}): Promise<UnitDirectory> {
  const units = await unitsOf(db, { now: options.now, force: options.verify });
  return { find: (territoryId, type) => units.get(keyOf(territoryId, type)) };
}
