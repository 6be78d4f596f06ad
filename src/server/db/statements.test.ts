import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { freshDatabase } from '../../../test/helpers/app.ts';
import { queryRows, type Database } from './client.ts';
import { findAppeal } from '../modules/appeals/appeals.repository.ts';

describe('fixed statements', () => {
  let database: Database;
  let drop: () => Promise<void>;
  before(async () => ({ database, drop } = await freshDatabase()));
  after(() => drop());

  it('keep running on a connection that prepared them after a migration adds a column', async () => {
    // One transaction, so one connection: the second call runs the statement the first prepared.
    // With `select *` PostgreSQL refuses it: "cached plan must not change result type".
    const id = '01900000-0000-7000-8000-000000000000';
    await database.db.transaction(async (tx) => {
      assert.equal(await findAppeal(tx, id), undefined);
      await tx.execute(sql`alter table appeals add column added_by_a_later_release integer`);
      assert.equal(await findAppeal(tx, id), undefined);
    });
  });

  it('run without JIT compilation on PostgreSQL (client.ts)', async (t) => {
    if (database.engine !== 'postgres') return t.skip('PGlite has no JIT');
    const [row] = await queryRows<{ jit: string }>(database.db, sql`show jit`);
    assert.equal(row!.jit, 'off');
  });
});
