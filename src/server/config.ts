// The one place that reads process.env. Everything else receives a Config.
import path from 'node:path';

/** Chosen from the held-out evaluation (npm run eval:classifier): see src/server/data/classifier/README.md. */
export const defaultClassifierThreshold = 0.6;

export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL connection string; absent means embedded PGlite in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  nodeEnv: NodeEnv;
  logLevel: LogLevel;
  allowEmbeddedInProduction: boolean;
  /** Sessions live this long without use before they expire. */
  sessionTtlHours: number;
  /** Secure cookies need HTTPS; on by default in production. */
  secureCookies: boolean;
  /** Requests per minute per client on public endpoints. */
  publicRateLimitPerMinute: number;
  /** The app trusts X-Forwarded-For from a proxy in front of it. */
  trustProxy: boolean;
  /** Seed the demo city into an empty database at start (default: only on the embedded database). */
  seedDemoWhenEmpty: boolean;
  /** The classifier's confidence (0–1) at or above which a case without a category is dispatched automatically. */
  classifierThreshold: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`Invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function fraction(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.trim());
  if (!/^\d*\.?\d+$/.test(raw.trim()) || value <= 0 || value > 1) throw new ConfigError(name, `must be a number above 0 and at most 1, got "${raw}"`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be 1 or 0, got "${raw}"`);
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL', 'is not a URL (expected postgres://user@host:5432/db)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `must start with postgres:// or postgresql://, got "${url.protocol}"`);
  }
  return raw;
}

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const config: Config = {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    databaseUrl: databaseUrl(env),
    dataDir: path.resolve(env.DATA_DIR || './data'),
    nodeEnv,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, nodeEnv === 'test' ? 'silent' : 'info'),
    allowEmbeddedInProduction: flag(env, 'GONGZHI_ALLOW_EMBEDDED', false),
    sessionTtlHours: integer(env, 'SESSION_TTL_HOURS', 24 * 7, 1, 24 * 90),
    secureCookies: flag(env, 'SECURE_COOKIES', nodeEnv === 'production'),
    publicRateLimitPerMinute: integer(env, 'PUBLIC_RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    trustProxy: flag(env, 'TRUST_PROXY', false),
    seedDemoWhenEmpty: flag(env, 'GONGZHI_DEMO_SEED', !databaseUrl(env) && nodeEnv !== 'production'),
    classifierThreshold: fraction(env, 'CLASSIFIER_THRESHOLD', defaultClassifierThreshold),
    ...overrides,
  };
  if (config.nodeEnv === 'production' && !config.databaseUrl && !config.allowEmbeddedInProduction) {
    throw new ConfigError(
      'DATABASE_URL',
      'is required in production: the embedded database (PGlite) does not fsync. Set DATABASE_URL, or GONGZHI_ALLOW_EMBEDDED=1 to accept the risk.',
    );
  }
  return config;
}

/** The environment a child process (the web build) inherits, with some variables replaced. */
export function childProcessEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}
