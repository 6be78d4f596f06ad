// A tiny periodic job runner for sweeps (deadlines, statistics folds). Several app processes may
// run it against one database: each tick runs inside a transaction that first takes
// pg_try_advisory_xact_lock(key of the job's name), so only one process runs a job at a time and
// the others skip that tick. A tick's work commits or rolls back as a whole, and the lock goes
// with the transaction. Within a process a job's ticks never overlap (the next is scheduled when
// one ends); a failing tick is logged and the job carries on.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { CallContext, Clock } from '../context.ts';
import { queryRows, type Db, type Tx } from '../db/client.ts';

export interface JobLogger {
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface JobContext {
  /** The tick's transaction (it holds the job's lock); pass it to services as their executor. */
  db: Tx;
  /** The clock's time when the tick started. */
  now: Date;
  /** A system context (no actor) at `now`, for services and recordEvent. */
  ctx: CallContext;
  log: JobLogger;
}

export interface Job {
  /** Unique; also names the advisory lock, so every process must use the same name. */
  name: string;
  /** Pause between the end of one tick and the start of the next. */
  everyMs: number;
  run(ctx: JobContext): Promise<void>;
  /** Work after a tick that ran has committed, outside any transaction (e.g. VACUUM). */
  afterCommit?(db: Db): Promise<void>;
}

export interface JobRunner {
  /** No new ticks; resolves when the running ones have finished. */
  stop(): Promise<void>;
}

export type TickResult = 'ran' | 'skipped';

const silent: JobLogger = { error: () => {}, debug: () => {} };

/** The advisory-lock key of a job: 64 bits of SHA-256 of its name, as a bigint literal. */
export function jobLockKey(name: string): string {
  return createHash('sha256').update(`gongzhi:job:${name}`).digest().readBigInt64BE(0).toString();
}

/**
 * Runs one tick now: 'skipped' when another process holds the job's lock. Errors from the job
 * propagate (and roll its work back). For tests and the CLI; the runner calls it on its timer.
 */
export async function runJobOnce(db: Db, clock: Clock, job: Job, log: JobLogger = silent): Promise<TickResult> {
  const result = await db.transaction(async (tx): Promise<TickResult> => {
    const [row] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${jobLockKey(job.name)}::bigint) as locked`);
    if (!row?.locked) return 'skipped';
    const now = clock();
    await job.run({ db: tx, now, ctx: { actor: null, now }, log });
    return 'ran';
  });
  if (result === 'ran' && job.afterCommit) await job.afterCommit(db);
  return result;
}

export interface StartJobsOptions {
  db: Db;
  clock: Clock;
  log: JobLogger;
  jobs: readonly Job[];
}

export function startJobs({ db, clock, log, jobs }: StartJobsOptions): JobRunner {
  const names = new Set<string>();
  for (const job of jobs) {
    if (names.has(job.name)) throw new Error(`jobs: two jobs are named ${job.name}`);
    if (!(job.everyMs > 0)) throw new Error(`jobs: ${job.name} needs everyMs > 0`);
    names.add(job.name);
  }
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();

  const tick = async (job: Job) => {
    const started = Date.now();
    try {
      const result = await runJobOnce(db, clock, job, log);
      log.debug({ job: job.name, result, ms: Date.now() - started }, 'job tick');
    } catch (err) {
      log.error({ err, job: job.name, ms: Date.now() - started }, 'job failed');
    }
  };

  const schedule = (job: Job) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const run = tick(job);
      running.add(run);
      void run.finally(() => {
        running.delete(run);
        schedule(job);
      });
    }, job.everyMs);
    timers.add(timer);
  };

  jobs.forEach(schedule);
  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([...running]);
    },
  };
}
