// The periodic jobs every app process runs (see runner.ts: one process at a time per job).
// Modules add theirs here, e.g. the appeals deadline sweep and the statistics fold:
//   import { deadlineSweep } from '../modules/appeals/deadline-sweep.ts';
//   export const jobs: Job[] = [deadlineSweep];
import type { Job } from './runner.ts';

export const jobs: Job[] = [];
export type { Job, JobContext } from './runner.ts';
