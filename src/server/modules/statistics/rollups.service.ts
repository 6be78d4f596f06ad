// The rollup fold: turns the deltas every change to a case appends (rollup_deltas) into the
// per-day sums that statistics read. Called by a periodic job every few seconds and at the
// start of every statistics read, so reads are current. One process folds at a time (an
// advisory lock); the others return at once, and a rerun with nothing waiting changes nothing.
import type { Db } from '../../db/client.ts';
import { deltaBounds, foldDeltaRange, tryLockFold } from './rollups.repository.ts';

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
