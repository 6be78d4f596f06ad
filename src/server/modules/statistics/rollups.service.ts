// The rollup fold: turns the deltas every change to a case appends (rollup_deltas) into the
// per-day sums that statistics read. Called by a periodic job every few seconds and at the
// start of every statistics read, so reads are current. One process folds at a time (an
// advisory lock); the others return at once, and a rerun with nothing waiting changes nothing.
import type { Db } from '../../db/client.ts';
import { deadDeltaRows, deltaBounds, foldDeltaRange, tryLockFold, vacuumDeltas } from './rollups.repository.ts';

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
  let deltas = 0;
  // Deltas appended after the fold started wait for the next one: a busy system cannot keep a
  // fold running for ever.
  let upTo: number | null | undefined;
  for (;;) {
    const step = await db.transaction(async (tx) => {
      if (!(await tryLockFold(tx))) return null;
      const { min, max } = await deltaBounds(tx);
      upTo ??= max;
      if (min === null || upTo === null || min > upTo) return null;
      return foldDeltaRange(tx, min, Math.min(upTo, min + batch - 1));
    });
    // Zero cannot happen while the lock is held (the lowest id waiting lies in the range); the
    // guard only keeps a surprise from becoming an endless loop.
    if (step === null || step === 0) return { deltas };
    deltas += step;
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
