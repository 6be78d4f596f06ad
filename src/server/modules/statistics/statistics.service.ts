// Statistics reads for dashboards: KPIs, trends, category and channel mix, unit rankings and
// the drill-down from the city to its communities. Every read checks 'statistics.read' over the
// territory asked for, folds waiting deltas first (so it sees every committed change), then
// reads the rollups only; the appeals table is never scanned.
import { sql, type SQL } from 'drizzle-orm';
import type { CallContext } from '../../context.ts';
import type { Db } from '../../db/client.ts';
import { forbidden, invalid, notFound } from '../../errors.ts';
import { authorize, pathCovers, requireActor, scopesFor, type Actor } from '../../policy/index.ts';
import { formatCalendarDate, parseCalendarDate, shanghaiDay } from '../calendar/work-calendar.ts';
import { findChildren, findRoots, findTerritoryByCode, type TerritoryRow, type TerritorySummaryRow } from '../territories/territories.repository.ts';
import { metrics, type Metric } from './metrics.ts';
import { rateNames, ratesOf, rateSql, round4, type RateName } from './rates.ts';
import { rollupDepth } from './rollups.repository.ts';
import { foldRollups } from './rollups.service.ts';
import {
  categoryMetrics,
  channelMetrics,
  childMetrics,
  maxPeriodDays,
  unitMetrics,
  type UnitSortKey,
} from './statistics.schema.ts';
import { categoryRanking, channelMix, nodeSeries, sumNodeMetrics, sumNodesMetrics, unitRanking, type Period } from './statistics.repository.ts';

export interface StatisticsRead {
  db: Db;
  ctx: CallContext;
  /** Territory code; absent means the city (or the caller's own territory when scoped below it). */
  territory?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface ResolvedPeriod extends Period {
  days: number;
}

function calendarDay(value: string, field: string): number {
  const day = parseCalendarDate(value);
  if (day === null) throw invalid(field, `${value} is not a calendar date; use YYYY-MM-DD.`);
  return day;
}

const periodOf = (from: number, to: number): ResolvedPeriod => ({ from: formatCalendarDate(from), to: formatCalendarDate(to), days: to - from + 1 });

/** The period asked for: `to` defaults to today in Shanghai, `from` to the first of that month. */
export function resolvePeriod(input: { from?: string | undefined; to?: string | undefined }, now: Date): ResolvedPeriod {
  const to = input.to === undefined ? shanghaiDay(now) : calendarDay(input.to, '/to');
  const from = input.from === undefined ? calendarDay(formatCalendarDate(to).slice(0, 8) + '01', '/to') : calendarDay(input.from, '/from');
  // Blame the parameter the caller gave: with only `from` given, `to` is today.
  const field = input.to === undefined ? '/from' : '/to';
  if (from > to) throw invalid(field, `The period ends (${formatCalendarDate(to)}) before it starts (${formatCalendarDate(from)}).`);
  if (to - from + 1 > maxPeriodDays) throw invalid(field, `A period is at most ${maxPeriodDays} days; ${formatCalendarDate(from)} to ${formatCalendarDate(to)} is ${to - from + 1}.`);
  return periodOf(from, to);
}

/** The period of equal length that ends the day before `period` starts. */
export function previousPeriod(period: ResolvedPeriod): ResolvedPeriod {
  const from = parseCalendarDate(period.from)!;
  return periodOf(from - period.days, from - 1);
}

const segments = (path: string) => path.split('.').length;

/** The city when the caller may read it; otherwise the widest territory the caller may read. */
async function defaultTerritoryCode(db: Db, actor: Actor): Promise<string> {
  const scopes = scopesFor(actor, 'statistics.read');
  if (scopes.length === 0) throw forbidden('You may not read statistics.');
  const root = (await findRoots(db)).find((r) => scopes.some((s) => pathCovers(s, r.path)));
  const path = root?.path ?? scopes[0]!;
  return path.slice(path.lastIndexOf('.') + 1);
}

export const presentTerritory = (t: TerritoryRow | TerritorySummaryRow) => ({ code: t.code, level: t.level, path: t.path, nameZh: t.nameZh, nameEn: t.nameEn });

/**
 * The territory a statistics read is about, for every reader of the rollups: authenticates, finds
 * the territory by code (default: the city, or the caller's own territory), authorises
 * 'statistics.read' over it, refuses nodes below the rollups (grids), and folds waiting deltas so
 * the read is current.
 */
export async function openStatisticsRead(db: Db, ctx: CallContext, code: string | undefined): Promise<TerritoryRow> {
  const actor = ctx.actor;
  requireActor(actor);
  const territoryCode = code ?? (await defaultTerritoryCode(db, actor));
  const territory = await findTerritoryByCode(db, territoryCode);
  if (!territory) throw notFound(`Territory ${territoryCode}`);
  authorize(actor, 'statistics.read', territory.path);
  if (segments(territory.path) > rollupDepth) {
    throw invalid('/territory', `Statistics are kept from the city down to communities; ${territoryCode} is a ${territory.level}. Ask for its community.`);
  }
  await foldRollups(db);
  return territory;
}

/** Validate the period (before any lookup), then open the read. */
async function openRead(o: StatisticsRead) {
  requireActor(o.ctx.actor);
  const period = resolvePeriod(o, o.ctx.now);
  const territory = await openStatisticsRead(o.db, o.ctx, o.territory);
  return { territory, period, head: { territory: presentTerritory(territory), period } };
}

/** The listed metrics from a query row or a metric → n map (0 where absent), and rates from them. */
function figuresOf<M extends Metric, R extends RateName>(source: Map<string, number> | object, list: readonly M[], rates: readonly R[]) {
  const get = (m: string) => (source instanceof Map ? source.get(m) : (source as Record<string, unknown>)[m]) ?? 0;
  const totals = Object.fromEntries(list.map((m) => [m, Number(get(m))])) as Record<M, number>;
  return { totals, rates: ratesOf(totals, rates) };
}

/** KPIs of one territory node over a period (and the period before, when asked). */
export async function getKpi(o: StatisticsRead & { compare?: 'previous' | undefined }) {
  const { territory, period, head } = await openRead(o);
  const before = o.compare === 'previous' ? previousPeriod(period) : undefined;
  const [current, previous] = await sumNodeMetrics(o.db, territory.path, before ? [period, before] : [period]);
  const figures = (sums: Map<string, number>) => figuresOf(sums, metrics, rateNames);
  return { ...head, ...figures(current!), ...(before && previous ? { previous: { period: before, ...figures(previous) } } : {}) };
}

export const defaultTrendMetrics: Metric[] = ['received', 'closed'];

function parseMetricList(value: string | undefined): Metric[] {
  if (value === undefined) return defaultTrendMetrics;
  const asked = [...new Set(value.split(','))];
  const unknown = asked.filter((m) => !(metrics as readonly string[]).includes(m));
  if (unknown.length > 0) throw invalid('/metrics', `Unknown metric ${unknown.join(', ')}; known: ${metrics.join(', ')}.`);
  return asked as Metric[];
}

/** Per-day series of some metrics at one node; every day of the period is present. */
export async function getTrend(o: StatisticsRead & { metrics?: string | undefined }) {
  const list = parseMetricList(o.metrics);
  const { territory, period, head } = await openRead(o);
  const first = parseCalendarDate(period.from)!;
  const dates = Array.from({ length: period.days }, (_, i) => formatCalendarDate(first + i));
  const values = new Map(list.map((m) => [m as string, new Array<number>(period.days).fill(0)]));
  for (const row of await nodeSeries(o.db, territory.path, period, list)) {
    values.get(row.metric)![parseCalendarDate(row.day)! - first] = Number(row.n);
  }
  return { ...head, dates, series: list.map((metric) => ({ metric, values: values.get(metric)! })) };
}

/** Categories ranked by cases received, with their dissatisfaction, reopenings and rates. */
export async function getCategoryRanking(o: StatisticsRead & { limit?: number | undefined }) {
  const { territory, period, head } = await openRead(o);
  const rows = await categoryRanking(o.db, territory.path, period, categoryMetrics, o.limit ?? 20);
  return {
    ...head,
    total: rows[0]?.total ?? 0,
    items: rows.map((r) => ({
      code: r.code,
      nameZh: r.name_zh,
      nameEn: r.name_en,
      parentCode: r.parent_code,
      ...figuresOf(r, categoryMetrics, ['resolutionRate', 'satisfactionRate']),
    })),
  };
}

/** Cases by channel (hotline, app, WeChat, …), most used first, with each channel's share. */
export async function getChannelMix(o: StatisticsRead) {
  const { territory, period, head } = await openRead(o);
  const rows = await channelMix(o.db, territory.path, period, channelMetrics);
  const received = rows.reduce((n, r) => n + Number(r.received), 0);
  return {
    ...head,
    items: rows.map((r) => ({
      channel: r.channel,
      share: received === 0 ? null : round4(Number(r.received) / received),
      ...figuresOf(r, channelMetrics, ['satisfactionRate']),
    })),
  };
}

function unitOrder(sort: UnitSortKey): SQL {
  return (rateNames as readonly string[]).includes(sort) ? rateSql(sort as RateName, 'a') : sql`a.${sql.identifier(sort)}`;
}

/** Units attached within the territory, ranked by volume, a rate or a problem count. */
export async function getUnitRanking(
  o: StatisticsRead & { limit?: number | undefined; sort?: UnitSortKey | undefined; order?: 'asc' | 'desc' | undefined },
) {
  const { territory, period, head } = await openRead(o);
  const sort = o.sort ?? 'received';
  const order = o.order ?? 'desc';
  const rows = await unitRanking(o.db, {
    withinPath: territory.path,
    period,
    metrics: unitMetrics,
    orderBy: unitOrder(sort),
    descending: order === 'desc',
    limit: o.limit ?? 50,
  });
  return {
    ...head,
    sort,
    order,
    total: rows[0]?.total ?? 0,
    items: rows.map((r) => ({
      id: r.id,
      code: r.code,
      nameZh: r.name_zh,
      nameEn: r.name_en,
      type: r.type,
      territoryCode: r.territory_code,
      ...figuresOf(r, unitMetrics, rateNames),
    })),
  };
}

/** Volume and rates of each child territory: city → districts → streets → communities. */
export async function getChildren(o: StatisticsRead) {
  const { territory, period, head } = await openRead(o);
  // Children of a community are grids, below the rollups.
  const children = segments(territory.path) < rollupDepth ? await findChildren(o.db, territory.id) : [];
  const sums = new Map((await sumNodesMetrics(o.db, children.map((c) => c.path), period, childMetrics)).map((r) => [r.node_path, r]));
  return {
    ...head,
    items: children.map((c) => ({ ...presentTerritory(c), ...figuresOf(sums.get(c.path) ?? {}, childMetrics, rateNames) })),
  };
}
