import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { freshDatabase, testClock } from '../../../test/helpers/app.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { meta } from '../db/schema.ts';
import { jobs } from './index.ts';
import { jobLockKey, runJobOnce, startJobs, type Job, type JobLogger } from './runner.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recordingLog() {
  const entries: { level: 'error' | 'debug'; obj: Record<string, unknown>; msg: string | undefined }[] = [];
  const log: JobLogger = {
    error: (obj, msg) => entries.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
    debug: (obj, msg) => entries.push({ level: 'debug', obj: obj as Record<string, unknown>, msg }),
  };
  return { log, entries };
}

async function until(test: () => boolean, ms = 5_000) {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

describe('job runner', () => {
  let database: Database;
  /** A second handle on the same database, as another process would have (PGlite: the same one). */
  let other: Database;
  let drop: () => Promise<void>;
  const clock = testClock('2026-11-23T02:00:00Z');

  before(async () => {
    ({ database, drop } = await freshDatabase());
    other = database.databaseUrl ? await openDatabase({ databaseUrl: database.databaseUrl, poolSize: 4 }) : database;
  });
  after(async () => {
    if (other !== database) await other.close();
    await drop();
  });

  it('starts with no jobs of its own, and keys locks by name', () => {
    assert.ok(Array.isArray(jobs));
    assert.equal(jobLockKey('a'), jobLockKey('a'));
    assert.notEqual(jobLockKey('a'), jobLockKey('b'));
    assert.match(jobLockKey('deadline-sweep'), /^-?\d+$/);
  });

  it('runs afterCommit outside the tick’s transaction, and only after a tick that ran', async () => {
    const done: string[] = [];
    const job: Job = {
      name: 'test-after-commit',
      everyMs: 1_000,
      async run({ db }) {
        await db.insert(meta).values({ key: 'after-commit-probe', value: 1 });
      },
      async afterCommit(db) {
        // VACUUM fails inside a transaction block, so this proves where afterCommit runs.
        await db.execute(sql`vacuum meta`);
        const [row] = await db.select().from(meta).where(eq(meta.key, 'after-commit-probe'));
        done.push(row ? 'committed' : 'not yet');
      },
    };
    assert.equal(await runJobOnce(database.db, clock, job), 'ran');
    assert.deepEqual(done, ['committed']);
    const held = database.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${jobLockKey(job.name)}::bigint)`);
      if (database.databaseUrl) assert.equal(await runJobOnce(other.db, clock, job), 'skipped');
    });
    await held;
    assert.equal(done.length, 1, 'a skipped tick has nothing to follow up');
  });

  it('runs a tick in a transaction, with the clock’s time, and skips while another holds the lock', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const seen: Date[] = [];
    const job: Job = {
      name: 'test-once',
      everyMs: 1_000,
      run: async ({ db, now, ctx }) => {
        seen.push(now);
        assert.equal(ctx.actor, null);
        await db.insert(meta).values({ key: `once-${seen.length}`, value: {} });
        if (seen.length === 1) {
          entered();
          await gate;
        }
      },
    };
    const first = runJobOnce(database.db, clock, job);
    await inside;
    if (database.engine === 'postgres') {
      assert.equal(await runJobOnce(other.db, clock, job), 'skipped');
      release();
      assert.equal(await first, 'ran');
    } else {
      // PGlite runs one transaction at a time: the second waits for the first, then runs.
      const second = runJobOnce(other.db, clock, job);
      await sleep(50);
      assert.equal(seen.length, 1);
      release();
      assert.equal(await first, 'ran');
      assert.equal(await second, 'ran');
    }
    assert.equal(seen[0]!.toISOString(), '2026-11-23T02:00:00.000Z');
    await assert.rejects(
      runJobOnce(database.db, clock, {
        name: 'test-throws',
        everyMs: 1,
        run: async ({ db }) => {
          await db.insert(meta).values({ key: 'thrown', value: {} });
          throw new Error('boom');
        },
      }),
      /boom/,
    );
    assert.deepEqual(await database.db.select().from(meta).where(eq(meta.key, 'thrown')), [], 'rolled back');
  });

  it('never runs one job in two runners at once', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const job: Job = {
      name: 'test-sleepy',
      everyMs: 5,
      run: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(60);
        runs++;
        active--;
      },
    };
    const a = recordingLog();
    const b = recordingLog();
    const runnerA = startJobs({ db: database.db, clock, log: a.log, jobs: [job] });
    const runnerB = startJobs({ db: other.db, clock, log: b.log, jobs: [job] });
    await sleep(1_200);
    await Promise.all([runnerA.stop(), runnerB.stop()]);
    assert.equal(maxActive, 1);
    assert.ok(runs >= 5, `ran ${runs} times`);
    const ticks = [...a.entries, ...b.entries].filter((e) => e.msg === 'job tick');
    assert.equal(ticks.filter((e) => e.obj.result === 'ran').length, runs);
    if (database.engine === 'postgres') assert.ok(ticks.some((e) => e.obj.result === 'skipped'), 'the other runner skipped');
    assert.deepEqual([...a.entries, ...b.entries].filter((e) => e.level === 'error'), []);
  });

  it('logs a failing job and keeps running it and the others', async () => {
    let failures = 0;
    let oks = 0;
    const { log, entries } = recordingLog();
    const runner = startJobs({
      db: database.db,
      clock,
      log,
      jobs: [
        {
          name: 'test-fails',
          everyMs: 10,
          run: async ({ db }) => {
            failures++;
            await db.insert(meta).values({ key: `fail-${failures}`, value: {} });
            throw new Error('sweep broke');
          },
        },
        { name: 'test-ok', everyMs: 10, run: async () => void oks++ },
      ],
    });
    await until(() => failures >= 3 && oks >= 3);
    await runner.stop();
    const errors = entries.filter((e) => e.level === 'error');
    assert.ok(errors.length >= 3);
    assert.ok(errors.every((e) => e.obj.job === 'test-fails' && (e.obj.err as Error).message === 'sweep broke'));
    assert.deepEqual(await database.db.select().from(meta).where(eq(meta.key, 'fail-1')), [], 'a failed tick writes nothing');
  });

  it('stop() waits for the running tick and starts no more', async () => {
    let started = 0;
    let finished = 0;
    const runner = startJobs({
      db: database.db,
      clock,
      log: recordingLog().log,
      jobs: [
        {
          name: 'test-slow',
          everyMs: 5,
          run: async () => {
            started++;
            await sleep(200);
            finished++;
          },
        },
      ],
    });
    await until(() => started === 1);
    await runner.stop();
    assert.equal(finished, 1);
    await sleep(100);
    assert.equal(started, 1);
  });

  it('refuses two jobs with one name', () => {
    const job: Job = { name: 'twice', everyMs: 10, run: async () => {} };
    assert.throws(() => startJobs({ db: database.db, clock, log: recordingLog().log, jobs: [job, job] }), /two jobs are named twice/);
    assert.throws(() => startJobs({ db: database.db, clock, log: recordingLog().log, jobs: [{ ...job, everyMs: 0 }] }), /everyMs/);
  });
});
