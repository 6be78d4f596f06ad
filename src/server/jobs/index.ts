// The periodic jobs every app process runs (see runner.ts: one process at a time per job).
import type { Db } from '../db/client.ts';
import { deadlineSweepJob } from '../modules/appeals/deadline-sweep.ts';
import { foldRollups, vacuumDeltaQueue } from '../modules/statistics/rollups.service.ts';
import type { Job } from './runner.ts';

/**
 * Folds statistics deltas into the dashboard rollups; reads also fold first, so this only keeps
 * the backlog short. Every 2 s: under a heavy intake each fold stays small (a few thousand
 * deltas, tens of milliseconds), instead of a larger one every few seconds holding up the
 * intake behind it. Then reclaims the folded deltas' space when enough have piled up (PGlite has
 * no autovacuum; on PostgreSQL this is rarely needed but harmless).
 */
const rollupFoldJob: Job = {
  name: 'statistics-fold',
  everyMs: 2_000,
  async run({ db }) {
    await foldRollups(db as unknown as Db);
  },
  async afterCommit(db) {
    await vacuumDeltaQueue(db);
  },
};

export const jobs: Job[] = [deadlineSweepJob, rollupFoldJob];
export type { Job, JobContext } from './runner.ts';
