// The gongzhi command line: start, migrate, seed, import, export. Each subcommand has --help.
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { AppError } from './errors.ts';
import { exportTerritoriesFile, importTerritoriesFile } from './modules/territories/cli.ts';
import { runTrain } from './modules/classifier/cli.ts';
import { storedModel, trainModel } from './modules/classifier/classifier.service.ts';
import { progressBar } from './seed/progress.ts';
import { seedCity } from './seed/seed.ts';
import { openAndMigrate, startServer } from './server.ts';
import { ensureWebBuild } from './web.ts';

function config(overrides: Partial<Config> = {}): Config {
  return loadConfig(undefined, overrides);
}

/** Opens the configured database, runs `work`, and closes it whatever happens. */
async function withDatabase<T>(work: (db: Awaited<ReturnType<typeof openAndMigrate>>) => Promise<T>): Promise<T> {
  const database = await openAndMigrate(config());
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
}

const program = new Command('gongzhi')
  .description('共治 Gongzhi — party-building-led grassroots governance platform')
  .showHelpAfterError()
  .addHelpText(
    'after',
    '\nConfiguration comes from the environment: PORT, DATABASE_URL (absent: embedded PGlite in DATA_DIR, default ./data), NODE_ENV, LOG_LEVEL. See README.md.',
  );

program
  .command('start')
  .description('Migrate the database, seed the demo city into an empty embedded database, and serve HTTP')
  .option('-p, --port <port>', 'port to listen on (default: PORT or 3000)', port)
  .action(async (options: { port?: number }) => {
    ensureWebBuild();
    await startServer(config(options.port !== undefined ? { port: options.port } : {}));
  });

program
  .command('migrate')
  .description('Apply the checked-in SQL migrations to the configured database, and train the first classifier model if none is stored')
  .action(async () => {
    await withDatabase(async (database) => {
      console.log(`Migrations applied (${database.engine}).`);
      // Here rather than in the first server to start: training takes seconds and ~100 MB, which a
      // serving process would otherwise keep as the high-water mark of its memory.
      if (await storedModel(database.db)) return;
      const trained = await trainModel(database.db, { includeConfirmedCases: true, onlyIfNone: true });
      if (trained.created) console.log(`Classifier model ${trained.model.version} trained and stored.`);
    });
  });

program
  .command('seed')
  .description('Build the Shenzhen-like demo city (territories, units, party organisations, demo accounts); safe to rerun')
  .option('-s, --scale <scale>', 'demo (seconds) or city (~676 communities, ~15,000 grids)', 'demo')
  .action(async (options: { scale: string }) => {
    if (options.scale !== 'demo' && options.scale !== 'city') throw new InvalidArgumentError('--scale is demo or city');
    const scale = options.scale;
    await withDatabase(async (database) => {
      const bar = progressBar(`Seeding (${scale})`);
      try {
        const result = await seedCity({ db: database.db, scale, progress: bar.progress });
        bar.stop();
        console.log(`Seeded ${result.territories} territories, ${result.organisations} organisations, ${result.accounts} new accounts in ${(result.ms / 1000).toFixed(1)} s.`);
      } finally {
        bar.stop();
      }
    });
  });

program
  .command('import')
  .description('Import data into the configured database')
  .command('territories')
  .description('Import or update territories from a GeoJSON FeatureCollection; rejected whole if any feature is invalid')
  .argument('<file>', 'GeoJSON file; features carry properties code, parent, level, name, name_en, households, population')
  .action(async (file: string) => {
    const result = await withDatabase((database) => importTerritoriesFile(database.db, file));
    console.log(`Imported ${result.total} territories: ${result.created} created, ${result.updated} updated.`);
  });

program
  .command('export')
  .description('Export data from the configured database')
  .command('territories')
  .description('Export territories as GeoJSON (the format import accepts)')
  .argument('[file]', 'output file, or - for standard output', '-')
  .option('-r, --root <code>', 'only this territory and everything below it')
  .action(async (file: string, options: { root?: string }) => {
    const result = await withDatabase((database) => exportTerritoriesFile(database.db, file, options.root));
    if (file !== '-') console.log(`Exported ${result.total} territories to ${file}.`);
  });

program
  .command('train')
  .description('Train the category classifier on the shipped corpus and the closed cases whose category people confirmed or corrected; store it as a new active version (running servers switch within seconds)')
  .option('--corpus-only', 'train on the shipped corpus only')
  .option('--activate <version>', 'make an earlier version active again instead of training')
  .action(async (options: { corpusOnly?: boolean; activate?: string }) => {
    for (const line of await withDatabase((database) => runTrain(database.db, options))) console.log(line);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else if (error instanceof AppError) {
    console.error(`${error.message}`);
    for (const d of error.details ?? []) console.error(`  ${d.field ? d.field + ': ' : ''}${d.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
}
