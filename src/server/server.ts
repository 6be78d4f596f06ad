// Starts the product: open the database, migrate, seed the demo city into an empty embedded
// database, listen, and shut down gracefully on SIGINT/SIGTERM.
import { buildApp, type App } from './app.ts';
import type { Config } from './config.ts';
import { migrate, openDatabase, type Database } from './db/client.ts';
import { jobs } from './jobs/index.ts';
import { startJobs } from './jobs/runner.ts';
import { seedReferenceData } from './seed/reference.ts';
import { isSeeded, seedCity } from './seed/seed.ts';
import { progressBar } from './seed/progress.ts';

/** Opens the configured database, applies migrations and loads the reference data every installation needs. */
export async function openAndMigrate(config: Config): Promise<Database> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrate(database);
  await seedReferenceData(database.db);
  return database;
}

export async function startServer(config: Config): Promise<{ app: App; database: Database; stop(): Promise<void> }> {
  const database = await openAndMigrate(config);
  if (config.seedDemoWhenEmpty && !(await isSeeded(database.db))) {
    const bar = progressBar('Seeding the demo city');
    try {
      await seedCity({ db: database.db, scale: 'demo', progress: bar.progress });
    } finally {
      bar.stop();
    }
  }
  const app = await buildApp({ config, database });
  await app.listen({ port: config.port, host: config.host });
  app.log.info({ engine: database.engine, dataDir: database.engine === 'pglite' ? config.dataDir : undefined }, 'Gongzhi is serving');
  const jobRunner = startJobs({ db: database.db, clock: app.deps.clock, log: app.log.child({ component: 'jobs' }), jobs });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Stop taking requests, let the ones in flight finish, then close the database.
      const timer = setTimeout(() => {
        app.log.error('shutdown took longer than 10 s; exiting');
        process.exit(1);
      }, 10_000);
      timer.unref();
      await jobRunner.stop();
      await app.close();
      await database.close();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'shutting down');
      void stop().then(() => process.exit(0));
    });
  }
  return { app, database, stop };
}
