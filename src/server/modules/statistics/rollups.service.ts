// The rollup fold: turns the deltas every change to a case appends (rollup_deltas) into the
// per-day sums that statistics read. Called by a periodic job every few seconds and at the
// start of every statistics read, so reads are current. One process folds at a time (an
// advisory lock); the others return at once, and a rerun with nothing waiting changes nothing.
import type { Db } from '../../db/client.ts';
import { deadDeltaRows, foldDeltaRange, latestDeltaId, lockFold, vacuumDeltas } from './rollups.repository.ts';

export interface FoldOptions {
  /**
   * Delta ids per transaction. A backlog (after downtime, or a bulk import) is folded in
   * several short transactions rather than one that holds millions of rows.
   */
  batchSize?: number;
}

export const defaultFoldBatch = 200_000;

export async function foldRollups(db: Db, options: FoldOptions = {}): Promise<{ deltas: number }> {
  const batch = Math.max(1, Math.floor(options.batchSize ?? defaultFoldBatch));
  // Most calls (every statistics read) find nothing waiting: one query, no transaction. Deltas
  // appended after this point wait for the next fold, so a busy system cannot keep one running.
  const upTo = await latestDeltaId(db);
  if (upTo === null) return { deltas: 0 };
  let deltas = 0;
  for (;;) {
    const step = await db.transaction(async (tx) => {
      const { locked, min } = await lockFold(tx);
      if (!locked || min === null || min > upTo) return null;
      const to = Math.min(upTo, min + batch - 1);
      return { folded: await foldDeltaRange(tx, min, to), done: to === upTo };
    });
    // Nothing folded means another process took the range meanwhile: it carries on from there.
    if (step === null || step.folded === 0) return { deltas };
    deltas += step.folded;
    if (step.done) return { deltas };
  }
}

/** Folded deltas left behind before vacuumDeltaQueue reclaims their space. */
export const deltaVacuumThreshold = 20_000;

/**
 * Reclaims the space of folded deltas once enough have piled up; returns whether it vacuumed.
 * PostgreSQL's autovacuum does this by itself. PGlite has no autovacuum: without this the
 * queue's table and primary key grow with every delta ever folded, and finding the next batch
 * (min/max id) slows down with them. Call it outside any transaction (VACUUM cannot run in one),
 * e.g. after the periodic fold's transaction.
 */
export async function vacuumDeltaQueue(db: Db, threshold = deltaVacuumThreshold): Promise<boolean> {
  if ((await deadDeltaRows(db)) < threshold) return false;
  await vacuumDeltas(db);
  return true;
}
