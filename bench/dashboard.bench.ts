// The leaders' dashboard on the city-scale demo city: how long from opening /dashboard in
// chromium until its KPI cards show the figures, for the city (the administrator), a district
// (the demo leader, 福田区) and a street (the leader drills down to 香蜜湖街道). Target: ≤ 1 s.
//
// Data: `gongzhi seed --scale city` (14,868 grids, 3,192 units), then the statistics of
// BENCH_DASHBOARD_CASES cases (default 1,000,000) over the last 365 days, made and folded as the
// kpi section makes them (10,000 single cases with category, channel and unit; the rest as
// pre-aggregated community × day × metric rows), moved so that their year ends today, because
// the dashboard asks for today, this week and this month on the browser's clock.
//
// The app listens in this process on the same database (PGlite in memory, or PostgreSQL when
// BENCH_DATABASE_URL is set) with a production build of the web app. Each place is opened 3
// times in a fresh browser context (nothing cached: a first visit) and 5 times more by reloading
// (JavaScript cached: the daily visit). The time is the page's own: from the start of the
// navigation (or the click on the street) until the KPI cards hold the place's figures. Also
// reported, from the browser's resource timing: how long the KPI request itself took and when
// the last of the dashboard's API calls (KPI, sub-territories, units, categories, channels,
// trend, hotspots, 每月一题) had answered, counted from the first of them.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { buildApp, type App } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { queryRows, type Database } from '../src/server/db/client.ts';
import { foldRollups } from '../src/server/modules/statistics/rollups.service.ts';
import { demoPassword } from '../src/server/seed/demo-accounts.ts';
import { seedCity } from '../src/server/seed/seed.ts';
import { ensureWebBuild } from '../src/server/web.ts';
import { firstDay, generateAggregated, generateCases, prepareDraws, yearDays } from './kpi.bench.ts';
import { freshPglite, freshPostgres, timed, type BenchSection, type Figure } from './lib.ts';

const targetMs = 1000;
const coldRuns = 3;
const warmRuns = 5;
const singleCases = 10_000;
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Place {
  name: string;
  login: string;
  code: string;
  /** Drill down by clicking this sub-territory after the district has loaded. */
  drill?: string;
}
const places: Place[] = [
  { name: 'city', login: 'admin', code: '440300' },
  { name: 'district', login: 'leader', code: '440304' },
  { name: 'street (drill-down)', login: 'leader', code: '440304005', drill: '香蜜湖街道' },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const round = (x: number) => Math.round(x);

/** The dashboard's statistics: seeded city, `cases` cases over the year that ends today, folded. */
async function prepare(database: Database, cases: number, log: (l: string) => void): Promise<void> {
  const db = database.db;
  const { ms: seedMs } = await timed(() => seedCity({ db, scale: 'city' }));
  const draws = await prepareDraws(db);
  const { ms: genMs } = await timed(async () => {
    await generateCases(db, Math.min(singleCases, cases), draws);
    if (cases > singleCases) await generateAggregated(db, cases - singleCases);
  });
  // The generated year is firstDay … firstDay + 364; move it to end today (Shanghai).
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const shift = Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${firstDay}T00:00:00Z`)) / 86_400_000) - (yearDays - 1);
  await db.execute(sql`update rollup_deltas set day = day + ${shift}::int`);
  const { value: folded, ms: foldMs } = await timed(() => foldRollups(db));
  await db.execute(sql`vacuum analyze rollup_deltas, rollup_territory, rollup_category, rollup_channel, rollup_unit`);
  const [rows] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from rollup_territory`);
  log(
    `city seeded in ${(seedMs / 1000).toFixed(1)} s; ${cases.toLocaleString('en-US')} cases' deltas made in ${(genMs / 1000).toFixed(1)} s, ` +
      `${folded.deltas.toLocaleString('en-US')} folded in ${(foldMs / 1000).toFixed(1)} s; rollup_territory ${rows!.n.toLocaleString('en-US')} rows; year ends ${today}`,
  );
}

async function signedIn(browser: Browser, base: string, login: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: { width: 1600, height: 1000 } });
  // On the page's own clock: when the KPIs of a place appear (data-territory set), and when the
  // last click happened (for the drill-down).
  await context.addInitScript({
    content: `
      window.gzShown = {};
      window.gzClick = 0;
      document.addEventListener('click', () => (window.gzClick = performance.now()), true);
      new MutationObserver(() => {
        const code = document.querySelector('[data-testid="kpis"]')?.getAttribute('data-territory');
        if (code && !(code in window.gzShown)) window.gzShown[code] = performance.now();
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-territory'] });`,
  });
  const res = await context.request.post('/api/v1/auth/login', { data: { identifier: login, password: demoPassword } });
  if (!res.ok()) throw new Error(`login ${login}: ${res.status()} ${await res.text()}`);
  return context;
}

interface Run {
  shownMs: number;
  kpiApiMs: number;
  allApiMs: number;
}

/**
 * Opens the dashboard (and drills down when asked); the time, on the page's clock, from the
 * navigation's start (or the click on the street) until the place's KPIs are on the screen.
 */
async function openDashboard(context: BrowserContext, place: Place, reload: boolean): Promise<Run> {
  const page = context.pages()[0] ?? (await context.newPage());
  const shown = (code: string) => page.locator(`[data-testid="kpis"][data-territory="${code}"]`).waitFor({ timeout: 30_000 });
  if (reload && page.url().includes('/dashboard')) await page.reload();
  else await page.goto('/dashboard');
  if (place.drill) {
    await shown('440304');
    await page.evaluate(() => performance.clearResourceTimings());
    await page.getByRole('button', { name: place.drill, exact: true }).click();
  }
  await shown(place.code);
  const shownMs = Number(await page.evaluate(`window.gzShown[${JSON.stringify(place.code)}] - ${place.drill ? 'window.gzClick' : '0'}`));
  // Resource timing of the API calls the dashboard made for this place, once all eight have
  // answered (not 'networkidle': the live ticker keeps its event stream open).
  await page.waitForFunction(() => performance.getEntriesByType('resource').filter((e) => /\/api\/v1\/(statistics\/|hotspots)/.test(e.name)).length >= 8, undefined, { timeout: 30_000 });
  const api = await page.evaluate(() =>
    (performance.getEntriesByType('resource') as unknown as { name: string; startTime: number; responseEnd: number }[])
      .filter((e) => /\/api\/v1\/(statistics\/|hotspots)/.test(e.name))
      .map((e) => ({ name: e.name, start: e.startTime, end: e.responseEnd })),
  );
  const kpi = api.filter((e) => e.name.includes('/statistics/kpi'));
  const first = Math.min(...api.map((e) => e.start));
  return {
    shownMs,
    kpiApiMs: kpi.length ? kpi[kpi.length - 1]!.end - kpi[kpi.length - 1]!.start : NaN,
    allApiMs: api.length ? Math.max(...api.map((e) => e.end)) - first : NaN,
  };
}

async function measure(app: App, log: (l: string) => void): Promise<Figure[]> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const figures: Figure[] = [];
  try {
    // Warm the server (JIT, PGlite's caches) the way a first leader of the morning would.
    const warm = await signedIn(browser, base, 'admin');
    await openDashboard(warm, places[0]!, false);
    await warm.close();
    for (const place of places) {
      const cold: Run[] = [];
      for (let i = 0; i < coldRuns; i++) {
        const context = await signedIn(browser, base, place.login);
        cold.push(await openDashboard(context, place, false));
        await context.close();
      }
      const context = await signedIn(browser, base, place.login);
      await openDashboard(context, place, false);
      const warmed: Run[] = [];
      for (let i = 0; i < warmRuns; i++) warmed.push(await openDashboard(context, place, true));
      await context.close();
      const all = [...cold, ...warmed];
      const line = (runs: Run[]) => runs.map((r) => round(r.shownMs)).join(', ');
      log(`${place.name}: KPIs shown after ${line(cold)} ms (first visits), ${line(warmed)} ms (cached); KPI request ${round(median(all.map((r) => r.kpiApiMs)))} ms, all API calls ${round(median(all.map((r) => r.allApiMs)))} ms (medians)`);
      const what = place.drill ? 'click on the street → KPIs shown' : 'open → KPIs shown';
      figures.push(
        { name: `${place.name}: ${what}, first visit (max of ${coldRuns})`, value: round(Math.max(...cold.map((r) => r.shownMs))), unit: 'ms', target: { kind: 'max', value: targetMs } },
        { name: `${place.name}: ${what}, cached (median of ${warmRuns})`, value: round(median(warmed.map((r) => r.shownMs))), unit: 'ms', target: { kind: 'max', value: targetMs } },
        { name: `${place.name}: KPI request (median)`, value: round(median(all.map((r) => r.kpiApiMs))), unit: 'ms' },
        { name: `${place.name}: all dashboard API calls answered (median)`, value: round(median(all.map((r) => r.allApiMs))), unit: 'ms' },
      );
    }
  } finally {
    await browser.close();
  }
  return figures;
}

async function runOn(engine: string, opened: { database: Database; drop(): Promise<void> }, cases: number, log: (l: string) => void): Promise<Figure[]> {
  const dataDir = fs.mkdtempSync('/tmp/gz-bench-dashboard-');
  try {
    await prepare(opened.database, cases, log);
    const config = loadConfig({ NODE_ENV: 'test' }, { logLevel: 'silent', publicRateLimitPerMinute: 1_000_000, dataDir });
    const app = await buildApp({ config, database: opened.database });
    try {
      const figures = await measure(app, log);
      return figures.map((f) => ({ ...f, name: `${engine} ${cases / 1e6}M: ${f.name}` }));
    } finally {
      await app.close();
    }
  } finally {
    await opened.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export const section: BenchSection = {
  name: 'dashboard',
  description: 'the leaders’ dashboard in chromium on the city-scale demo: open → KPI cards shown, for the city, a district and a street',
  async run(log) {
    if (!fs.existsSync(chromiumPath)) {
      log(`no chromium at ${chromiumPath} (apt-get install chromium): skipped`);
      return [];
    }
    ensureWebBuild(log);
    const cases = Number(process.env.BENCH_DASHBOARD_CASES ?? 1_000_000);
    const url = process.env.BENCH_DATABASE_URL;
    if (url) return runOn('postgres', await freshPostgres(url), cases, log);
    const database = await freshPglite();
    return runOn('pglite', { database, drop: () => database.close() }, cases, log);
  },
};
