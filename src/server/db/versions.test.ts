import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase } from '../../../test/helpers/app.ts';
import type { Database } from './client.ts';
import { bumpVersion, readVersion, VersionWatch } from './versions.ts';

describe('change counters (VersionWatch)', () => {
  let database: Database;
  let drop: () => Promise<void>;
  before(async () => {
    ({ database, drop } = await freshDatabase());
  });
  after(() => drop());

  it('answers from memory within the freshness window; changed() and force read at once', async () => {
    const db = database.db;
    const watch = new VersionWatch('test_watch_a', 2000);
    const t0 = Date.now();
    assert.equal(await watch.version(db, { now: t0 }), 0, 'a counter never moved reads 0');
    await watch.bump(db);
    assert.equal(await readVersion(db, 'test_watch_a'), 1);
    // Moved by another process: not seen until the window has passed.
    assert.equal(await watch.version(db, { now: t0 + 1999 }), 0);
    assert.equal(await watch.version(db, { now: t0 + 2000 }), 1);
    await bumpVersion(db, 'test_watch_a');
    assert.equal(await watch.version(db, { now: t0 + 2001 }), 1);
    assert.equal(await watch.version(db, { now: t0 + 2002, force: true }), 2, 'force reads now');
    await bumpVersion(db, 'test_watch_a');
    watch.changed();
    assert.equal(await watch.version(db, { now: t0 + 2003 }), 3, 'this process changed it: read at once');
  });

  it('keeps a built value while the counter stands still, shares one build, and builds again when it moves', async () => {
    const db = database.db;
    const watch = new VersionWatch('test_watch_b', 2000);
    let builds = 0;
    const valueOf = watch.cache(async () => {
      builds++;
      await new Promise((r) => setTimeout(r, 10));
      return { build: builds };
    });
    const t0 = Date.now();
    const [a, b] = await Promise.all([valueOf(db, { now: t0 }), valueOf(db, { now: t0 })]);
    assert.equal(a, b, 'callers at the same time share one build');
    assert.equal(builds, 1);
    assert.equal(await valueOf(db, { now: t0 + 5000 }), a, 'the counter stood still: the same value');
    assert.equal(builds, 1);

    await bumpVersion(db, 'test_watch_b');
    assert.equal(await valueOf(db, { now: t0 + 5001 }), a, 'within the window');
    const moved = await valueOf(db, { now: t0 + 7001 });
    assert.notEqual(moved, a);
    assert.equal(builds, 2);

    watch.changed();
    const mine = await valueOf(db, { now: t0 + 7002 });
    assert.notEqual(mine, moved, 'this process changed the data: built again though the counter stood still');
    assert.equal(builds, 3);
  });

  it('does not keep a failed build', async () => {
    const db = database.db;
    const watch = new VersionWatch('test_watch_c', 2000);
    let fail = true;
    const valueOf = watch.cache(async () => {
      if (fail) throw new Error('database away');
      return 'built';
    });
    await assert.rejects(valueOf(db), /database away/);
    fail = false;
    assert.equal(await valueOf(db), 'built');
  });
});
