// Each test file gets its own fresh database (a copy of the migrated template) and app.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { buildApp, type App } from '../../src/server/app.ts';
import { loadConfig, type Config } from '../../src/server/config.ts';
import { seedReferenceData } from '../../src/server/seed/reference.ts';
import { migrate, openDatabase, type Database, type Db } from '../../src/server/db/client.ts';
import { withDatabase } from './template.ts';

export interface TestClock {
  (): Date;
  set(date: Date | string): void;
  advance(ms: number): void;
}

export function testClock(start: Date | string = '2026-11-23T02:00:00Z'): TestClock {
  let now = new Date(start);
  const clock = (() => new Date(now)) as TestClock;
  clock.set = (d) => {
    now = new Date(d);
  };
  clock.advance = (ms) => {
    now = new Date(now.getTime() + ms);
  };
  return clock;
}

/** A fresh, migrated database for one test file; `drop` removes it afterwards. */
export async function freshDatabase(): Promise<{ database: Database; drop(): Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `gz_t_${randomBytes(6).toString('hex')}`;
    const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
    const template = process.env.GZ_TEMPLATE_DB;
    await admin.db.execute(sql.raw(template ? `create database "${name}" template "${template}"` : `create database "${name}"`));
    const database = await openDatabase({ databaseUrl: withDatabase(url, name), poolSize: 10 });
    if (!template) {
      await migrate(database);
      await seedReferenceData(database.db);
    }
    return {
      database,
      drop: async () => {
        await database.close();
        await admin.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
        await admin.close();
      },
    };
  }
  const dump = process.env.GZ_PGLITE_TEMPLATE;
  if (dump && fs.existsSync(dump)) {
    const database = await openDatabase({ loadDataDir: new Blob([fs.readFileSync(dump)]) });
    return { database, drop: () => database.close() };
  }
  const database = await openDatabase({});
  await migrate(database);
  await seedReferenceData(database.db);
  return { database, drop: () => database.close() };
}

export interface TestContext {
  app: App;
  database: Database;
  db: Db;
  clock: TestClock;
  config: Config;
  close(): Promise<void>;
}

export async function createTestApp(options: { config?: Partial<Config>; clock?: TestClock } = {}): Promise<TestContext> {
  const { database, drop } = await freshDatabase();
  const config = loadConfig({ NODE_ENV: 'test' }, { dataDir: '.tmp/test-data', ...options.config });
  const clock = options.clock ?? testClock();
  const app = await buildApp({ config, database, clock });
  return {
    app,
    database,
    db: database.db,
    clock,
    config,
    close: async () => {
      await app.close();
      await drop();
    },
  };
}
