// How long seeding the demo city takes, at both scales, into fresh databases: embedded PGlite
// always, PostgreSQL too when BENCH_DATABASE_URL points at a server (a database is created and
// dropped for each run).
import type { Database } from '../src/server/db/client.ts';
import { seedCity } from '../src/server/seed/seed.ts';
import type { Scale } from '../src/server/seed/city.ts';
import { freshPglite, freshPostgres, timed, type BenchSection, type Figure } from './lib.ts';

/** What `gongzhi seed` may cost: the demo city in a few seconds, the full city within two minutes. */
const targets: Record<Scale, number> = { demo: 5_000, city: 120_000 };

async function seedInto(engine: string, scale: Scale, open: () => Promise<{ database: Database; drop(): Promise<void> }>, log: (l: string) => void): Promise<Figure[]> {
  const { value: opened, ms: migrateMs } = await timed(open);
  try {
    const { value: result, ms } = await timed(() => seedCity({ db: opened.database.db, scale }));
    log(`${engine} ${scale}: ${result.territories} territories, ${result.organisations} organisations, ${result.accounts} accounts in ${ms} ms`);
    return [
      { name: `${engine} ${scale}: create + migrate`, value: migrateMs, unit: 'ms' },
      {
        name: `${engine} ${scale}: seed`,
        value: ms,
        unit: 'ms',
        target: { kind: 'max', value: targets[scale] },
        note: `${result.territories} territories, ${result.organisations} organisations`,
      },
      { name: `${engine} ${scale}: seed rate`, value: Math.round((result.territories / ms) * 1000), unit: 'territories/s' },
    ];
  } finally {
    await opened.drop();
  }
}

export const section: BenchSection = {
  name: 'seed',
  description: 'seed the demo and the city-scale demo city into fresh databases',
  async run(log) {
    const figures: Figure[] = [];
    const pglite = async () => {
      const database = await freshPglite();
      return { database, drop: () => database.close() };
    };
    for (const scale of ['demo', 'city'] as const) figures.push(...(await seedInto('pglite', scale, pglite, log)));
    const url = process.env.BENCH_DATABASE_URL;
    if (url) {
      for (const scale of ['demo', 'city'] as const) figures.push(...(await seedInto('postgres', scale, () => freshPostgres(url), log)));
    } else {
      log('BENCH_DATABASE_URL is not set: PostgreSQL skipped');
    }
    return figures;
  },
};
