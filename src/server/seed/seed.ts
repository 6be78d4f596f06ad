// Seeds the demo city: territories (through the same import administrators use, so the seed
// meets the same validation), organisations, demo accounts, then `meta.seed`. Idempotent: a
// rerun finds everything present and changes nothing.
import { eq, inArray, sql } from 'drizzle-orm';
import { systemContext } from '../context.ts';
import type { Db, Executor } from '../db/client.ts';
import { meta, territories } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { recordEvent } from '../modules/events/events.service.ts';
import { importTerritories } from '../modules/territories/territories.service.ts';
import { buildCityModel, toFeatureCollection, type CityModel, type Scale } from './city.ts';
import { demoAccounts, insertDemoAccounts } from './demo-accounts.ts';
import { insertDemoIntegration } from './integration.ts';
import { insertOrganisations, organisationSeeds } from './organisations.ts';

export type SeedProgress = (done: number, total: number, stage: string) => void;

export interface SeedOptions {
  db: Db;
  scale: Scale;
  progress?: SeedProgress;
}

export interface SeedResult {
  /** How many of each the seeded city has (the same on a rerun). */
  territories: number;
  organisations: number;
  accounts: number;
  ms: number;
}

export interface SeedInfo {
  scale: Scale;
  at: string;
}

const seedKey = 'seed';

export async function readSeedInfo(db: Executor): Promise<SeedInfo | null> {
  const [row] = await db.select({ value: meta.value }).from(meta).where(eq(meta.key, seedKey));
  return (row?.value as SeedInfo | undefined) ?? null;
}

export async function isSeeded(db: Executor): Promise<boolean> {
  return (await readSeedInfo(db)) !== null;
}

/** True when every territory of the model exists (by code), so the import can be skipped. */
async function territoriesPresent(db: Executor, model: CityModel): Promise<boolean> {
  const codes = model.territories.map((t) => t.code);
  let found = 0;
  for (let i = 0; i < codes.length; i += 1000) {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(territories).where(inArray(territories.code, codes.slice(i, i + 1000)));
    found += row?.n ?? 0;
  }
  return found === codes.length;
}

export async function seedCity(options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const { db, scale } = options;
  const previous = await readSeedInfo(db);
  // Scales share codes but not boundaries: mixing them would leave overlapping grids.
  if (previous && previous.scale !== scale) {
    throw new AppError('conflict', `This database holds the ${previous.scale} city; seed the ${scale} city into an empty database.`);
  }
  const model = buildCityModel(scale);
  const orgs = organisationSeeds(model);
  const total = model.territories.length + orgs.length + demoAccounts.length;
  let done = 0;
  const report = (stage: string, reached: number) => {
    done = Math.max(done, reached);
    options.progress?.(done, total, stage);
  };

  report('territories', 0);
  const ctx = systemContext();
  let createdTerritories = 0;
  if (!(await territoriesPresent(db, model))) {
    const imported = await importTerritories(db, ctx, toFeatureCollection(model), { allowedScopes: null });
    createdTerritories = imported.created;
  }
  report('territories', model.territories.length);

  await db.transaction(async (tx) => {
    let orgsDone = model.territories.length;
    const organisations = await insertOrganisations(tx, orgs, (n) => report('organisations', (orgsDone += n)));
    report('accounts', model.territories.length + orgs.length);
    const accounts = (await insertDemoAccounts(tx)) + (await insertDemoIntegration(tx));
    if (createdTerritories + organisations + accounts > 0) {
      await recordEvent(tx, ctx, {
        action: 'seed.applied',
        subjectType: 'installation',
        data: { scale, territories: createdTerritories, organisations, accounts },
      });
    }
    await tx
      .insert(meta)
      .values({ key: seedKey, value: { scale, at: ctx.now.toISOString() } satisfies SeedInfo })
      .onConflictDoNothing({ target: meta.key });
  });
  report('done', total);
  return { territories: model.territories.length, organisations: orgs.length, accounts: demoAccounts.length, ms: Math.round(performance.now() - started) };
}
