// Hotspots (热点) and the monthly topic candidates (每月一题): recurring problems by category ×
// territory node × period, read from the statistics rollups only (rollup_category, per day,
// per node from the city down to communities), with the trend against the previous period.
// Access is the statistics' own: 'statistics.read' over the territory asked for.
//
// Trend. Periods differ in length (a 30- and a 31-day month) and the current one may not be
// over, so growth compares cases a day: growth = (received / days) ÷ (previousReceived /
// previousDays) − 1; null when the previous period had none ("new"). up/down: |growth| ≥ 10%.
//
// 每月一题 score of a candidate category in the month (at least `minVolume` cases):
//   score = 0.4·V + 0.2·G + 0.2·R + 0.2·D, each component in [0, 1]:
//   V volume          received ÷ the largest `received` among the candidates
//   G growth          growth clamped to [0, 1] (doubling or more scores 1; new counts as 1)
//   R reopen rate     reopened ÷ received, at most 1
//   D dissatisfaction unsatisfied ÷ (rated + 2): the +2 keeps one unhappy rating out of two from
//                     outranking a well-measured problem
// Ties go to the larger volume, then to the category code.
import type { CallContext } from '../../context.ts';
import type { Db } from '../../db/client.ts';
import { invalid } from '../../errors.ts';
import { formatCalendarDate, parseCalendarDate, shanghaiDay } from '../calendar/work-calendar.ts';
import { loadCatalogue, type Catalogue } from '../appeals/catalogue.ts';
import { round4 } from '../statistics/rates.ts';
import { rollupDepth } from '../statistics/rollups.repository.ts';
import { openStatisticsRead, presentTerritory } from '../statistics/statistics.service.ts';
import { findChildren, type TerritoryRow, type TerritorySummaryRow } from '../territories/territories.repository.ts';
import { categoryFigures, topNodesByCategory, type FigureRow } from './hotspots.repository.ts';
import type { PeriodKind } from './hotspots.schema.ts';

const DAY_MS = 86_400_000;

export const scoreWeights = { volume: 0.4, growth: 0.2, reopen: 0.2, dissatisfaction: 0.2 } as const;
export const scoreFormula =
  'score = 0.4·volume + 0.2·growth + 0.2·reopen + 0.2·dissatisfaction; volume = received ÷ max received among candidates; growth = clamp(daily-rate growth vs previous month, 0, 1), new = 1; reopen = min(1, reopened ÷ received); dissatisfaction = unsatisfied ÷ (rated + 2)';

interface Span {
  from: string;
  to: string;
  days: number;
}

export interface ResolvedPeriod extends Span {
  kind: PeriodKind;
  label: string;
  previous: Span;
}

const dayOf = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / DAY_MS;
const span = (from: number, to: number): Span => ({ from: formatCalendarDate(from), to: formatCalendarDate(to), days: to - from + 1 });

function monthSpan(y: number, m: number): [number, number] {
  return [dayOf(y, m, 1), dayOf(y, m + 1, 1) - 1];
}

/** ISO week number and its year, for the label. */
function isoWeek(day: number): { year: number; week: number } {
  const thursday = day - ((new Date(day * DAY_MS).getUTCDay() + 6) % 7) + 3;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  return { year, week: Math.floor((thursday - dayOf(year, 1, 1)) / 7) + 1 };
}

/**
 * The period asked for and the one before it. The current period stops at today (Shanghai):
 * the rollups hold nothing later, and the daily rates must not count days still to come.
 */
export function resolvePeriod(kind: PeriodKind, date: string | undefined, now: Date): ResolvedPeriod {
  const today = shanghaiDay(now);
  const [ty, tm] = formatCalendarDate(today).split('-').map(Number) as [number, number];
  let from: number;
  let to: number;
  let previous: [number, number];
  let label: string;
  if (kind === 'month') {
    const m = date === undefined ? [ty, tm] : /^(\d{4})-(0[1-9]|1[0-2])$/.exec(date)?.slice(1).map(Number);
    if (!m) throw invalid('/date', 'For a month give YYYY-MM.');
    [from, to] = monthSpan(m[0]!, m[1]!);
    previous = monthSpan(m[0]!, m[1]! - 1);
    label = `${m[0]}-${String(m[1]).padStart(2, '0')}`;
  } else if (kind === 'quarter') {
    const q = date === undefined ? [ty, Math.ceil(tm / 3)] : /^(\d{4})-Q([1-4])$/i.exec(date)?.slice(1).map(Number);
    if (!q) throw invalid('/date', 'For a quarter give YYYY-Qn, e.g. 2026-Q4.');
    const firstMonth = (q[1]! - 1) * 3 + 1;
    from = dayOf(q[0]!, firstMonth, 1);
    to = dayOf(q[0]!, firstMonth + 3, 1) - 1;
    previous = [dayOf(q[0]!, firstMonth - 3, 1), from - 1];
    label = `${q[0]}-Q${q[1]}`;
  } else {
    const day = date === undefined ? today : parseCalendarDate(date);
    if (day === null) throw invalid('/date', 'For a week give any day of it, YYYY-MM-DD.');
    from = day - ((new Date(day * DAY_MS).getUTCDay() + 6) % 7);
    to = from + 6;
    previous = [from - 7, from - 1];
    const w = isoWeek(from);
    label = `${w.year}-W${String(w.week).padStart(2, '0')}`;
  }
  if (from > today) throw invalid('/date', `The period ${label} has not begun yet.`);
  return { kind, label, ...span(from, Math.min(to, today)), previous: span(previous[0], previous[1]) };
}

/** The month before the current one, YYYY-MM. */
function lastCompleteMonth(now: Date): string {
  const [y, m] = formatCalendarDate(shanghaiDay(now)).split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

const segments = (path: string) => path.split('.').length;

function categoryRef(catalogue: Catalogue, code: string) {
  const c = catalogue.categories.get(code);
  const group = c?.parentCode ? catalogue.categories.get(c.parentCode) : undefined;
  return { code, nameZh: c?.nameZh ?? null, nameEn: c?.nameEn ?? null, groupCode: group?.code ?? null, groupNameZh: group?.nameZh ?? null };
}

function trendOf(r: FigureRow, period: ResolvedPeriod) {
  const rate = r.received / period.days;
  const before = r.previous_received / period.previous.days;
  const growth = before === 0 ? null : round4(rate / before - 1);
  const direction = growth === null ? (r.received > 0 ? 'new' : 'flat') : growth >= 0.1 ? 'up' : growth <= -0.1 ? 'down' : 'flat';
  return { previousReceived: r.previous_received, change: r.received - r.previous_received, growth, direction: direction as 'new' | 'up' | 'down' | 'flat' };
}

function figuresOf(r: FigureRow) {
  return {
    received: r.received,
    reopened: r.reopened,
    rated: r.rated,
    unsatisfied: r.unsatisfied,
    reopenRate: r.received === 0 ? null : round4(r.reopened / r.received),
    dissatisfactionRate: r.rated === 0 ? null : round4(r.unsatisfied / r.rated),
  };
}

export interface HotspotsInput {
  db: Db;
  ctx: CallContext;
  territory?: string | undefined;
  period?: PeriodKind | undefined;
  date?: string | undefined;
  category?: string | undefined;
  min?: number | undefined;
  limit?: number | undefined;
}

/** Recurring problems: category × child territory over the period, with their trend. */
export async function getHotspots(o: HotspotsInput) {
  const period = resolvePeriod(o.period ?? 'month', o.date, o.ctx.now);
  const territory = await openStatisticsRead(o.db, o.ctx, o.territory);
  // A community's children are grids, below the rollups: then the community itself.
  const children = segments(territory.path) < rollupDepth ? await findChildren(o.db, territory.id) : [];
  const nodes = children.length > 0 ? children : [territory];
  const byPath = new Map<string, TerritoryRow | TerritorySummaryRow>(nodes.map((n) => [n.path, n]));
  const catalogue = await loadCatalogue(o.db);
  const rows = await categoryFigures(o.db, {
    nodePaths: [...byPath.keys()],
    current: period,
    previous: period.previous,
    categoryCodes: o.category ? [o.category] : undefined,
    minReceived: o.min ?? 2,
    limit: o.limit ?? 50,
  });
  return {
    territory: presentTerritory(territory),
    period,
    breakdown: (children.length > 0 ? 'children' : 'self') as 'children' | 'self',
    total: rows[0]?.total ?? 0,
    items: rows.map((r) => ({ node: presentTerritory(byPath.get(r.node_path)!), category: categoryRef(catalogue, r.category_code), ...figuresOf(r), trend: trendOf(r, period) })),
  };
}

export interface MonthlyTopicsInput {
  db: Db;
  ctx: CallContext;
  territory?: string | undefined;
  month?: string | undefined;
  minVolume?: number | undefined;
  limit?: number | undefined;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** 每月一题: the month's candidate categories in a territory, ranked by the score above. */
export async function getMonthlyTopics(o: MonthlyTopicsInput) {
  const period = resolvePeriod('month', o.month ?? lastCompleteMonth(o.ctx.now), o.ctx.now);
  const territory = await openStatisticsRead(o.db, o.ctx, o.territory);
  const catalogue = await loadCatalogue(o.db);
  const rows = await categoryFigures(o.db, { nodePaths: [territory.path], current: period, previous: period.previous, minReceived: o.minVolume ?? 3, limit: 1000 });
  const maxVolume = Math.max(1, ...rows.map((r) => r.received));
  const scored = rows
    .map((r) => {
      const trend = trendOf(r, period);
      const components = {
        volume: round4(r.received / maxVolume),
        growth: round4(trend.growth === null ? 1 : clamp01(trend.growth)),
        reopen: round4(clamp01(r.reopened / Math.max(1, r.received))),
        dissatisfaction: round4(r.unsatisfied / (r.rated + 2)),
      };
      const score = round4(
        scoreWeights.volume * components.volume + scoreWeights.growth * components.growth + scoreWeights.reopen * components.reopen + scoreWeights.dissatisfaction * components.dissatisfaction,
      );
      return { r, trend, components, score };
    })
    .sort((a, b) => b.score - a.score || b.r.received - a.r.received || (a.r.category_code < b.r.category_code ? -1 : 1));
  const chosen = scored.slice(0, o.limit ?? 10);
  // Where each candidate concentrates: its top child territories in the month.
  const children = segments(territory.path) < rollupDepth ? await findChildren(o.db, territory.id) : [];
  const byPath = new Map(children.map((c) => [c.path, c]));
  const top = await topNodesByCategory(o.db, [...byPath.keys()], period, chosen.map((c) => c.r.category_code), 3);
  return {
    territory: presentTerritory(territory),
    period,
    scoring: { formula: scoreFormula, weights: { ...scoreWeights } },
    total: rows.length,
    items: chosen.map((c, i) => ({
      rank: i + 1,
      category: categoryRef(catalogue, c.r.category_code),
      ...figuresOf(c.r),
      trend: c.trend,
      score: c.score,
      components: c.components,
      hotspots: top.filter((t) => t.category_code === c.r.category_code).map((t) => ({ node: presentTerritory(byPath.get(t.node_path)!), received: t.received })),
    })),
  };
}
