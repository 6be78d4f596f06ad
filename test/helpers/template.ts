// One migrated template database per test run; test files copy it (see scripts/run-tests.ts).
import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { seedReferenceData } from '../../src/server/seed/reference.ts';
import { migrate, openDatabase } from '../../src/server/db/client.ts';

export const templateDbName = `gz_template_${process.pid}`;

export interface Template {
  env: Record<string, string>;
  remove(): Promise<void>;
}

export async function prepareTemplate(): Promise<Template> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
    await admin.db.execute(sql.raw(`create database "${templateDbName}"`));
    const template = await openDatabase({ databaseUrl: withDatabase(url, templateDbName), poolSize: 1 });
    await migrate(template);
    await seedReferenceData(template.db);
    await template.close();
    return {
      env: { GZ_TEMPLATE_DB: templateDbName },
      remove: async () => {
        await admin.db.execute(sql.raw(`drop database if exists "${templateDbName}" with (force)`));
        await admin.close();
      },
    };
  }
  const dir = path.resolve('.tmp');
  fs.mkdirSync(dir, { recursive: true });
  const database = await openDatabase({});
  await migrate(database);
  await seedReferenceData(database.db);
  const client = (database.db as unknown as { $client: PGlite }).$client;
  const dump = await client.dumpDataDir('none');
  const file = path.join(dir, `pglite-template-${process.pid}.tar`);
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  return { env: { GZ_PGLITE_TEMPLATE: file }, remove: async () => fs.rmSync(file, { force: true }) };
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = '/' + name;
  return u.toString();
}
