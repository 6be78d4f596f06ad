// Dashboards at city scale: statistics deltas for 1,000,000 and then 10,000,000 synthetic cases
// over a year, folded into the rollups by foldRollups, then GET /api/v1/statistics/kpi timed over
// HTTP (app.inject: session, policy, the read-time fold and the query) for the city, a district
// and a community, over one month and over the year. Target: p99 ≤ 100 ms at 10 million cases.
//
// How the cases are made (into the city-scale demo city: 14,868 grids, 3,192 units):
//   · single cases, one by one, in SQL (generate_series): a grid weighted by its population, a
//     day of the year (weekends and February quieter, summer busier), a category (Zipf over the
//     51 taxonomy categories), a channel (hotline most), the unit the category's default route
//     names at that place; then the delta rows such a case's life appends (received,
//     dispatched, signed ± in time, replied, closed ± in time, rated with resolution and
//     satisfaction, and the rarer returns, extensions, reopenings, overdue …), ~10.3 rows a
//     case, dated on the days they happen. 10,000 of them (some two and a half hours of the real
//     city's intake) are folded as the periodic job folds a backlog: that is the fold
//     throughput figure, and the category, channel and unit rollups they fill.
//   · every other case as pre-aggregated deltas: one row per community, day and metric with the
//     counts such cases would add (same distributions, stochastic rounding), without category,
//     channel or unit. Folding a million single cases (~10 million delta rows, each making ~9
//     rollup rows while most community × day × category cells are still empty) would take about
//     half an hour here. The KPI reads rollup_territory only, and pre-aggregated rows give it
//     the rows single cases would; category, channel and unit rollups hold the single cases.
// A last series times the city's month while 5 cases' deltas (~50 rows, a few seconds of the
// real city) wait before each read, which folds them first, as reads in a live system do.
// After each fold the bench vacuums and analyses rollup_deltas and rollup_territory, as
// autovacuum would after a bulk change (PGlite has none).
import { sql } from 'drizzle-orm';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { queryRows, type Database } from '../src/server/db/client.ts';
import taxonomy from '../src/server/data/taxonomy.json' with { type: 'json' };
import { foldRollups } from '../src/server/modules/statistics/rollups.service.ts';
import { apportion } from '../src/server/seed/city.ts';
import { demoPassword } from '../src/server/seed/demo-accounts.ts';
import { seedCity } from '../src/server/seed/seed.ts';
import { freshPglite, freshPostgres, timed, type BenchSection, type Figure } from './lib.ts';

export const firstDay = '2025-12-01';
const liveCases = 10_000;
export const yearDays = 365;
const chunk = 250_000;
const runs = 60;
const targetMs = 100;

/** Per-case probabilities of each metric (the fraction of cases whose life appends it). */
const metricRates: Record<string, number> = {
  received: 1, dispatched: 1, signed: 1, signed_on_time: 0.96, replied: 0.99, replied_on_time: 0.95, closed: 0.985,
  closed_on_time: 0.94, rated: 0.72, resolved: 0.66, partly_resolved: 0.04, satisfied: 0.6, basically_satisfied: 0.095,
  unsatisfied: 0.025, reopened: 0.025, returned: 0.04, extended: 0.03, warned: 0.1, overdue: 0.06, urged: 0.05,
  escalated: 0.02, supervised: 0.01, merged: 0.01,
};
const channelWeights: Record<string, number> = {
  hotline: 45, app: 18, wechat: 15, patrol: 8, web: 5, mailbox: 3, walk_in: 2, api: 2, letter: 1, import: 0.5, open311: 0.5,
};

/** A lookup table `k → value` in which each value fills a share of the keys by its weight. */
async function pickTable(db: Database['db'], name: string, values: (string | number)[], weights: number[], size: number) {
  const counts = apportion(size, weights);
  const flat = values.flatMap((v, i) => new Array<string | number>(counts[i]!).fill(v));
  await db.execute(sql.raw(`create table ${name} (k int primary key, v text not null)`));
  for (let i = 0; i < flat.length; i += 50_000) {
    const part = JSON.stringify(flat.slice(i, i + 50_000).map(String));
    await db.execute(sql`insert into ${sql.identifier(name)} (k, v)
      select (ord - 1 + ${i})::int, value from json_array_elements_text(${part}::json) with ordinality as t(value, ord)`);
  }
  await db.execute(sql.raw(`analyze ${name}`));
  return flat.length;
}

function dayWeights(): { days: string[]; weights: number[] } {
  const start = Date.parse(`${firstDay}T00:00:00Z`);
  const days: string[] = [];
  const weights: number[] = [];
  for (let i = 0; i < yearDays; i++) {
    const d = new Date(start + i * 86_400_000);
    const weekday = d.getUTCDay();
    const month = d.getUTCMonth() + 1;
    days.push(d.toISOString().slice(0, 10));
    weights.push((weekday === 0 || weekday === 6 ? 0.75 : 1) * (month >= 6 && month <= 8 ? 1.2 : month === 2 ? 0.8 : 1));
  }
  return { days, weights };
}

/** Helper tables the generators draw from: grids, categories, channels and days. */
export async function prepareDraws(db: Database['db']) {
  await db.execute(sql`create table bench_grids as
    select (row_number() over (order by path))::int - 1 as i, path, split_part(path, '.', 2) as district,
           split_part(path, '.', 3) as street, split_part(path, '.', 4) as community, greatest(coalesce(population, 0), 1) as weight
    from territories where level = 'grid'`);
  await db.execute(sql`create table bench_communities as
    select path, greatest(coalesce(population, 0), 1)::float8 / sum(greatest(coalesce(population, 0), 1)) over () as share
    from territories where level = 'community'`);
  const grids = await queryRows<{ i: number; weight: number }>(db, sql`select i, weight from bench_grids order by i`);
  const leaves = taxonomy.categories.flatMap((g) => g.children);
  await db.execute(sql`create table bench_cats as
    select (ord - 1)::int as i, c->>'code' as code, c->>'level' as level, c->>'dept' as dept
    from json_array_elements(${JSON.stringify(leaves)}::json) with ordinality as t(c, ord)`);
  const { days, weights } = dayWeights();
  const dayTotal = weights.reduce((a, b) => a + b, 0);
  await db.execute(sql`create table bench_days as
    select value::date as day, (${JSON.stringify(weights)}::json->>(ord - 1)::int)::float8 / ${dayTotal} as share
    from json_array_elements_text(${JSON.stringify(days)}::json) with ordinality as t(value, ord)`);
  await db.execute(sql`create table bench_metric_rates as
    select key as metric, value::float8 as rate from json_each_text(${JSON.stringify(metricRates)}::json)`);
  return {
    grids: await pickTable(db, 'bench_grid_pick', grids.map((g) => g.i), grids.map((g) => Number(g.weight)), 1 << 18),
    categories: await pickTable(db, 'bench_cat_pick', leaves.map((_, i) => i), leaves.map((_, i) => 1 / (i + 1) ** 0.9), 1 << 14),
    channels: await pickTable(db, 'bench_channel_pick', Object.keys(channelWeights), Object.values(channelWeights), 1 << 12),
    days: await pickTable(db, 'bench_day_pick', days, weights, 1 << 15),
  };
}

/** The delta rows of `n` single cases; returns how many rows. */
export async function generateCases(db: Database['db'], n: number, draws: Awaited<ReturnType<typeof prepareDraws>>): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`with inserted as (
      insert into rollup_deltas (day, territory_path, organisation_id, category_code, channel, metric, n)
      select c.day + m.lag, c.path, c.org, c.category, c.channel, m.metric, 1
      from (
        select g.path, d.v::date as day, cat.code as category, ch.v as channel, o.id as org, s.r1, s.r2, s.r3, s.r4, s.r5
        from (select floor(random() * ${draws.grids})::int as gk, floor(random() * ${draws.categories})::int as ck,
                     floor(random() * ${draws.channels})::int as hk, floor(random() * ${draws.days})::int as dk,
                     random() as r1, random() as r2, random() as r3, random() as r4, random() as r5
              from generate_series(1, ${n}) offset 0) s
        join bench_grid_pick gp on gp.k = s.gk
        join bench_grids g on g.i = gp.v::int
        join bench_cat_pick cp on cp.k = s.ck
        join bench_cats cat on cat.i = cp.v::int
        join bench_channel_pick ch on ch.k = s.hk
        join bench_day_pick d on d.k = s.dk
        left join organisations o on o.code = 'ORG-' || (case cat.level when 'community' then g.community when 'street' then g.street else g.district end) || '-' || cat.dept
        offset 0
      ) c
      cross join lateral (values
        ('received', 0, true), ('dispatched', 0, true), ('signed', 0, true),
        ('signed_on_time', 0, c.r1 < 0.96),
        ('returned', 0, c.r4 < 0.04), ('extended', 1, c.r4 >= 0.04 and c.r4 < 0.07), ('urged', 1, c.r4 >= 0.95),
        ('escalated', 0, c.r5 < 0.02), ('supervised', 2, c.r5 >= 0.99), ('merged', 0, c.r5 >= 0.5 and c.r5 < 0.51),
        ('warned', 1, c.r2 >= 0.9), ('overdue', 2, c.r2 >= 0.94),
        ('replied', 1 + floor(c.r5 * 4)::int, c.r2 < 0.99), ('replied_on_time', 1 + floor(c.r5 * 4)::int, c.r2 < 0.95),
        ('closed', 2 + floor(c.r5 * 4)::int, c.r2 < 0.985), ('closed_on_time', 2 + floor(c.r5 * 4)::int, c.r2 < 0.94),
        ('rated', 4 + floor(c.r5 * 4)::int, c.r3 < 0.72), ('resolved', 4 + floor(c.r5 * 4)::int, c.r3 < 0.66),
        ('partly_resolved', 4 + floor(c.r5 * 4)::int, c.r3 >= 0.66 and c.r3 < 0.7),
        ('satisfied', 4 + floor(c.r5 * 4)::int, c.r3 < 0.6),
        ('basically_satisfied', 4 + floor(c.r5 * 4)::int, c.r3 >= 0.6 and c.r3 < 0.695),
        ('unsatisfied', 4 + floor(c.r5 * 4)::int, c.r3 >= 0.695 and c.r3 < 0.72),
        ('reopened', 4 + floor(c.r5 * 4)::int, c.r3 >= 0.695 and c.r3 < 0.72)
      ) m(metric, lag, keep)
      where m.keep
      returning 1
    ) select count(*)::int as n from inserted`,
  );
  return row?.n ?? 0;
}

/** `cases` more cases as one delta row per community, day and metric; returns how many rows. */
export async function generateAggregated(db: Database['db'], cases: number): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`with inserted as (
      insert into rollup_deltas (day, territory_path, metric, n)
      select day, path, metric, n from (
        select d.day, c.path, r.metric, floor(${cases}::float8 * c.share * d.share * r.rate + random())::int as n
        from bench_communities c cross join bench_days d cross join bench_metric_rates r
      ) x where n > 0
      returning n
    ) select coalesce(sum(n), 0)::int as n from inserted`,
  );
  return row?.n ?? 0;
}

async function countRows(db: Database['db']): Promise<string> {
  const tables = ['rollup_territory', 'rollup_category', 'rollup_channel', 'rollup_unit'];
  const counts = await Promise.all(tables.map(async (t) => (await queryRows<{ n: number }>(db, sql.raw(`select count(*)::int as n from ${t}`)))[0]!.n));
  return tables.map((t, i) => `${t} ${counts[i]!.toLocaleString('en-US')}`).join(', ');
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

interface KpiCase {
  name: string;
  url: string;
  /** Untimed work before each request (deltas appended, as cases change meanwhile). */
  before?: () => Promise<void>;
}

const places = { city: '440300', district: '440306', community: '440304005001' };
const periods = { month: 'from=2026-10-01&to=2026-10-31', year: `from=${firstDay}&to=2026-11-30` };
const kpiUrl = (code: string, range: string) => `/api/v1/statistics/kpi?territory=${code}&${range}`;

/** Median and p99 over HTTP of each case, signed in as the city administrator. */
async function timeKpi(database: Database, label: string, cases: KpiCase[], log: (l: string) => void): Promise<Figure[]> {
  const config = loadConfig({ NODE_ENV: 'test' }, { logLevel: 'silent', publicRateLimitPerMinute: 1_000_000 });
  const app = await buildApp({ config, database, clock: () => new Date('2026-12-01T04:00:00Z') });
  const figures: Figure[] = [];
  try {
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { identifier: 'admin', password: demoPassword } });
    const cookie = login.cookies.find((c) => c.name === 'gz_session');
    if (!cookie) throw new Error(`bench login failed: ${login.statusCode} ${login.body}`);
    for (const c of cases) {
      const times: number[] = [];
      let received = 0;
      for (let i = 0; i < runs + 5; i++) {
        await c.before?.();
        const started = performance.now();
        const res = await app.inject({ method: 'GET', url: c.url, headers: { cookie: `gz_session=${cookie.value}` } });
        const ms = performance.now() - started;
        if (res.statusCode !== 200) throw new Error(`${c.url}: ${res.statusCode} ${res.body}`);
        if (i >= 5) times.push(ms); // the first few warm up caches and the JIT
        received = (res.json() as { totals: { received: number } }).totals.received;
      }
      times.sort((a, b) => a - b);
      const median = Math.round(percentile(times, 50) * 100) / 100;
      const p99 = Math.round(percentile(times, 99) * 100) / 100;
      log(`KPI ${c.name}: median ${median} ms, p99 ${p99} ms over ${runs} runs (${received.toLocaleString('en-US')} received)`);
      figures.push(
        { name: `${label}: KPI ${c.name} median`, value: median, unit: 'ms' },
        { name: `${label}: KPI ${c.name} p99`, value: p99, unit: 'ms', target: { kind: 'max', value: targetMs }, note: `${runs} runs over HTTP` },
      );
    }
  } finally {
    await app.close();
  }
  return figures;
}

/** The city, a district and a community, over a month and over the year. */
const kpiCases = (): KpiCase[] =>
  Object.entries(places).flatMap(([level, code]) => Object.entries(periods).map(([span, range]) => ({ name: `${level} ${span}`, url: kpiUrl(code, range) })));

async function foldFigure(db: Database['db'], name: string, what: string, log: (l: string) => void): Promise<Figure> {
  const { value, ms } = await timed(() => foldRollups(db));
  // What autovacuum does after a large delete and bulk upserts (PGlite has no autovacuum).
  await db.execute(sql`vacuum analyze rollup_deltas, rollup_territory`);
  const rate = Math.round((value.deltas / ms) * 1000);
  log(`folded ${value.deltas.toLocaleString('en-US')} ${what} in ${(ms / 1000).toFixed(1)} s: ${rate.toLocaleString('en-US')} deltas/s`);
  log(`rollups: ${await countRows(db)}`);
  return { name, value: rate, unit: 'deltas/s', note: `${value.deltas} ${what} in ${ms} ms` };
}

async function runOn(
  engine: 'postgres' | 'pglite',
  opened: { database: Database; drop(): Promise<void> },
  scale: number,
  totals: number[],
  log: (l: string) => void,
): Promise<Figure[]> {
  const { database } = opened;
  const db = database.db;
  const figures: Figure[] = [];
  try {
    const { ms: seedMs } = await timed(() => seedCity({ db, scale: 'city' }));
    const draws = await prepareDraws(db);
    log(`${engine}: city seeded in ${seedMs} ms; draw tables ready`);

    const single = Math.round(liveCases * scale);
    log(`${single.toLocaleString('en-US')} single cases (their deltas row by row, folded: the fold throughput); every other case as pre-aggregated deltas per community, day and metric`);
    let rows = 0;
    const { ms: genMs } = await timed(async () => {
      for (let done = 0; done < single; done += chunk) rows += await generateCases(db, Math.min(chunk, single - done), draws);
    });
    log(`${rows.toLocaleString('en-US')} delta rows for ${single.toLocaleString('en-US')} single cases in ${(genMs / 1000).toFixed(1)} s (${(rows / single).toFixed(2)} a case)`);
    figures.push(await foldFigure(db, `${engine}: fold throughput, single-case deltas`, 'single-case deltas', log));

    let made = single;
    for (const total of totals) {
      const label = `${engine} ${total / 1e6}M`;
      const { value: events, ms } = await timed(() => generateAggregated(db, total - made));
      const [count] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from rollup_deltas`);
      log(`${label}: ${count!.n.toLocaleString('en-US')} pre-aggregated rows (${events.toLocaleString('en-US')} metric events) for ${(total - made).toLocaleString('en-US')} more cases in ${(ms / 1000).toFixed(1)} s`);
      made = total;
      figures.push(await foldFigure(db, `${label}: fold throughput, pre-aggregated rows`, 'pre-aggregated rows', log));
      figures.push(...(await timeKpi(database, label, kpiCases(), log)));
    }
    // A live system's reads find the deltas of the last seconds waiting and fold them first:
    // here 5 cases' worth (~50 rows) are appended before each read.
    const waiting = { name: 'city month, 5 cases waiting', url: kpiUrl(places.city, periods.month), before: () => generateCases(db, 5, draws).then(() => undefined) };
    figures.push(...(await timeKpi(database, `${engine} ${totals[totals.length - 1]! / 1e6}M`, [waiting], log)));
  } finally {
    await opened.drop();
  }
  return figures;
}

export const section: BenchSection = {
  name: 'kpi',
  description: 'rollup fold throughput and the KPI query at 1M and 10M generated cases',
  async run(log) {
    const url = process.env.BENCH_DATABASE_URL;
    const scale = Number(process.env.BENCH_KPI_SCALE ?? 1);
    const counts = (list: number[]) => list.map((n) => Math.round(n * scale));
    if (url) return runOn('postgres', await freshPostgres(url), scale, counts([1_000_000, 10_000_000]), log);
    log('BENCH_DATABASE_URL is not set: PGlite at 1 million cases only');
    const database = await freshPglite();
    return runOn('pglite', { database, drop: () => database.close() }, scale, counts([1_000_000]), log);
  },
};
