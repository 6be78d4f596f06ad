// Open311 over HTTP as a 311 client would drive it: POST requests.json (form-encoded, the demo
// seed's published api_key, which has no rate limit) from 32 connections against the real server
// in a child process, then GET requests.json (the default 90 days, up to 1,000 requests a page)
// and one request by id. On PostgreSQL too when BENCH_DATABASE_URL is set.
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../src/server/db/client.ts';
import { seedReferenceData } from '../src/server/seed/reference.ts';
import { seedCity } from '../src/server/seed/seed.ts';
import { trainModel } from '../src/server/modules/classifier/classifier.service.ts';
import { demoIntegrationKey } from '../src/server/seed/integration.ts';
import { freshPostgres, load, inPgliteDir, reportPlaces, reportTexts, withServer, type BenchSection, type Figure } from './lib.ts';

const connections = 32;
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const texts = reportTexts();

/** The demo city (its seed creates the Open311 demo key) and the places to report at. */
async function prepare(database: Database): Promise<[number, number][]> {
  const db = database.db;
  await seedReferenceData(db);
  await seedCity({ db, scale: 'demo' });
  // As `gongzhi migrate` does: the servers measured load the stored model, never train one.
  await trainModel(db, { includeConfirmedCases: false, onlyIfNone: true });
  return reportPlaces(db);
}

async function drivePosts(url: string, pins: [number, number][]) {
  let n = 0;
  return load({
    url: `${url}/open311/v2/requests.json`,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    requests: [
      {
        setupRequest: (req) => {
          const i = n++;
          const [lon, lat] = pins[i % pins.length]!;
          const { text, category } = texts[(i * 7919) % texts.length]!;
          const body = new URLSearchParams({
            api_key: demoIntegrationKey,
            service_code: category,
            lat: String(lat),
            long: String(lon),
            description: text,
            first_name: '测试',
            last_name: '王',
            phone: `1380013${String(i % 10000).padStart(4, '0')}`,
            'attribute[urgency]': 'normal',
          });
          return { ...req, body: body.toString() };
        },
      },
    ],
  });
}

async function run(engine: string, url: string, pins: [number, number][], peakRssMb: () => number, log: (line: string) => void): Promise<Figure[]> {
  const posts = await drivePosts(url, pins);
  log(`${engine} Open311 POST: ${posts['2xx']} requests, p99 ${posts.latency.p99} ms, non-2xx ${posts.non2xx}`);
  // Reads need no key, but anonymous clients share the per-address limit: reads send the key too.
  const key = `api_key=${demoIntegrationKey}`;
  const list = await load({ url: `${url}/open311/v2/requests.json?page_size=1000&${key}`, connections: 4, duration: Math.max(3, Math.round(seconds / 3)) });
  const sample = (await (await fetch(`${url}/open311/v2/requests.json?page_size=1&${key}`)).json()) as { service_request_id: string }[];
  const one = await load({ url: `${url}/open311/v2/requests/${sample[0]?.service_request_id ?? '000000000000'}.xml?${key}`, connections, duration: Math.max(3, Math.round(seconds / 3)) });
  return [
    // The same intake pipeline as /api/v1/appeals (see the intake section): compare with its figures.
    { name: `${engine}: Open311 POST requests.json throughput (32 clients, demo key)`, value: Math.round(posts['2xx'] / seconds), unit: 'requests/s' },
    { name: `${engine}: Open311 POST latency p50`, value: posts.latency.p50, unit: 'ms' },
    { name: `${engine}: Open311 POST latency p99`, value: posts.latency.p99, unit: 'ms' },
    { name: `${engine}: Open311 POST errors`, value: posts.non2xx + posts.errors, unit: 'requests', target: { kind: 'max', value: 0 } },
    { name: `${engine}: Open311 GET requests.json, 1,000 a page (4 clients)`, value: Math.round(list['2xx'] / list.duration), unit: 'pages/s' },
    { name: `${engine}: Open311 GET requests/{id}.xml (32 clients)`, value: Math.round(one['2xx'] / one.duration), unit: 'requests/s' },
    { name: `${engine}: Open311 GET errors`, value: list.non2xx + list.errors + one.non2xx + one.errors, unit: 'requests', target: { kind: 'max', value: 0 } },
    { name: `${engine}: server peak RSS`, value: peakRssMb(), unit: 'MB', target: { kind: 'max', value: 400 } },
  ];
}

async function countOpen311(database: Database): Promise<number> {
  const [row] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from appeals where channel = 'open311'`);
  return Number(row?.n ?? 0);
}

export const section: BenchSection = {
  name: 'open311',
  description: `Open311 GeoReport v2 over HTTP: form-encoded POST requests with the demo key, ${connections} connections, ${seconds} s; list and single reads`,
  async run(log) {
    const out: Figure[] = [];
    const pgUrl = process.env.BENCH_DATABASE_URL;
    if (pgUrl) {
      const { database, drop } = await freshPostgres(pgUrl);
      try {
        const pins = await prepare(database);
        await withServer({ DATABASE_URL: database.databaseUrl! }, async (server) => {
          out.push(...(await run('PostgreSQL', server.url, pins, server.peakRssMb, log)));
        });
        log(`PostgreSQL: ${await countOpen311(database)} cases entered through Open311`);
      } finally {
        await drop();
      }
    } else log('BENCH_DATABASE_URL not set: PostgreSQL figures skipped');

    await inPgliteDir(prepare, (dir, pins) =>
      withServer({ DATA_DIR: dir }, async (server) => {
        out.push(...(await run('PGlite', server.url, pins, server.peakRssMb, log)));
      }),
    );
    return out;
  },
};
