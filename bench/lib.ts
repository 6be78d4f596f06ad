// Shared pieces of the benchmark harness: what a section is, the figures it reports, the
// machine it ran on, and throw-away databases to run against.
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { migrate, openDatabase, type Database, type Db } from '../src/server/db/client.ts';
import { territories } from '../src/server/db/schema.ts';
import { mulberry32 } from '../src/server/lib/random.ts';
import { readCorpus } from '../src/server/modules/classifier/corpus.ts';
import { TerritoryIndex } from '../src/server/modules/territories/territory-index.ts';

export interface Target {
  /** `min`: the figure must be at least `value`; `max`: at most. */
  kind: 'min' | 'max';
  value: number;
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  target?: Target;
  note?: string;
}

/** A named group of measurements; each lives in its own `bench/<name>.bench.ts` file. */
export interface BenchSection {
  name: string;
  description: string;
  run(log: (line: string) => void): Promise<Figure[]>;
}

export function met(figure: Figure): boolean | null {
  if (!figure.target) return null;
  return figure.target.kind === 'min' ? figure.value >= figure.target.value : figure.value <= figure.target.value;
}

export function machineInfo() {
  const git = (args: string) => {
    try {
      return execSync(`git ${args}`, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      return null;
    }
  };
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
    commit: git('rev-parse --short HEAD'),
    dirty: (git('status --porcelain') ?? '') !== '',
  };
}

/** Times an async step in milliseconds. */
export async function timed<T>(step: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await step();
  return { value, ms: Math.round(performance.now() - started) };
}

/** A fresh, migrated in-memory PGlite database. */
export async function freshPglite(): Promise<Database> {
  const database = await openDatabase({});
  await migrate(database);
  return database;
}

/** A fresh, migrated database on the PostgreSQL server at `url`; dropped by `drop()`. */
export async function freshPostgres(url: string): Promise<{ database: Database; drop(): Promise<void> }> {
  const name = `gz_bench_${randomBytes(5).toString('hex')}`;
  const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
  await admin.db.execute(sql.raw(`create database "${name}"`));
  const target = new URL(url);
  target.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: target.toString() });
  await migrate(database);
  return {
    database,
    drop: async () => {
      await database.close();
      await admin.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
      await admin.close();
    },
  };
}

/** The real server in a child process (its own event loop and RSS), started on a free port and awaited until ready. */
export async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; peakRssMb(): number }> {
  const port = await freePort();
  // BENCH_PROFILE_DIR: the server writes a V8 CPU profile there when it stops (node --cpu-prof).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, 'bin/gongzhi.js', 'start'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', GONGZHI_DEMO_SEED: '0', NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited while starting (code ${child.exitCode}); see its output above`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (i === 300) {
      await stop(child);
      throw new Error(`the server was not ready at ${url}/readyz after a minute`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const peakRssMb = () => Math.round(Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  return { child, url, peakRssMb };
}

/**
 * A port nothing listens on now, as the system hands them out. A port picked at random could be
 * one that a client connection of the run before holds as its own end (the ephemeral range).
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Runs `use` against a server started with `env`, and stops the server however `use` ends. */
export async function withServer<R>(env: Record<string, string>, use: (server: Awaited<ReturnType<typeof startServer>>) => Promise<R>): Promise<R> {
  const server = await startServer(env);
  try {
    return await use(server);
  } finally {
    await stop(server.child);
  }
}

/**
 * A PGlite data folder in the temp directory, migrated, prepared by `prepare` and closed again so
 * that a server can open it; `use` runs with it, then the folder is removed.
 */
export async function inPgliteDir<P, R>(prepare: (database: Database) => Promise<P>, use: (dir: string, prepared: P) => Promise<R>): Promise<R> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gz-bench-'));
  try {
    const database = await openDatabase({ dataDir: dir });
    await migrate(database);
    const prepared = await prepare(database);
    await database.close();
    return await use(dir, prepared);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** BENCH_PGLITE=0 leaves out the embedded-database half of the HTTP sections (for quick PostgreSQL runs). */
export const withPglite = process.env.BENCH_PGLITE !== '0';

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 once it has ended. */
function cpuSecondsOf(pid: number): number {
  try {
    // After the command name (which may hold spaces) field 3 is the state; utime is 14, stime 15.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ ticks
  } catch {
    return 0;
  }
}

/** The PostgreSQL server's processes on this machine (postmaster, backends, writers), if it runs here. */
function postgresPids(): number[] {
  return fs.readdirSync('/proc').filter((d) => {
    try {
      return /^\d+$/.test(d) && fs.readFileSync(`/proc/${d}/comm`, 'utf8').startsWith('postgres');
    } catch {
      return false;
    }
  }).map(Number);
}

/**
 * Starts counting the CPU time that the server, the local PostgreSQL server (backends started
 * meanwhile included) and this process (the load generator) spend; the result is in seconds.
 */
export function cpuMeter(serverPid?: number): () => { server: number; postgres: number; loadGenerator: number } {
  const before = new Map(postgresPids().map((pid) => [pid, cpuSecondsOf(pid)]));
  const server = serverPid ? cpuSecondsOf(serverPid) : 0;
  const self = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(self);
    return {
      server: serverPid ? cpuSecondsOf(serverPid) - server : 0,
      postgres: postgresPids().reduce((sum, pid) => sum + cpuSecondsOf(pid) - (before.get(pid) ?? 0), 0),
      loadGenerator: (used.user + used.system) / 1e6,
    };
  };
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function load(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * Where residents report: `count` points spread around the grids' centroids (up to ~400 m off),
 * each inside a grid by the territory index. Spread points, not the centroids themselves: at a
 * few hundred fixed spots, reports of one category would pile up as probable duplicates.
 */
export async function reportPlaces(db: Db, count = 20_000): Promise<[number, number][]> {
  const index = new TerritoryIndex(db);
  await index.refresh();
  const grids = await db.select({ lon: territories.centroidLon, lat: territories.centroidLat }).from(territories).where(eq(territories.level, 'grid'));
  const random = mulberry32(311);
  const out: [number, number][] = [];
  while (out.length < count) {
    const g = grids[Math.floor(random() * grids.length)]!;
    const lon = g.lon! + (random() - 0.5) * 0.008;
    const lat = g.lat! + (random() - 0.5) * 0.008;
    if (index.locate(lon, lat)?.territory.level === 'grid') out.push([lon, lat]);
  }
  return out;
}

/** What residents write: the classifier's held-out texts (varied channels and wording) with their categories. */
export function reportTexts(): { text: string; category: string }[] {
  return readCorpus('heldout.jsonl').map((e) => ({ text: e.text, category: e.category }));
}
