// The assessment rates (三率 and the on-time rate) as ratios of metric totals over a period, in
// one place: the figures the API returns and the SQL that sorts the unit ranking use the same
// definitions (see metrics.ts for the vocabulary).
import { sql, type SQL } from 'drizzle-orm';
import type { Metric } from './metrics.ts';

export const rateDefinitions = {
  /** 响应率: cases signed in time over cases dispatched. */
  responseRate: { numerator: ['signed_on_time'], denominator: 'dispatched' },
  /** 解决率: cases rated resolved over rated cases. */
  resolutionRate: { numerator: ['resolved'], denominator: 'rated' },
  /** 满意率: satisfied and basically satisfied over rated cases. */
  satisfactionRate: { numerator: ['satisfied', 'basically_satisfied'], denominator: 'rated' },
  /** 按时办结率: cases closed in time over closed cases. */
  onTimeRate: { numerator: ['closed_on_time'], denominator: 'closed' },
} as const satisfies Record<string, { numerator: readonly Metric[]; denominator: Metric }>;

export type RateName = keyof typeof rateDefinitions;
export const rateNames = Object.keys(rateDefinitions) as RateName[];

/** Four decimals, as the API promises. */
export const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * A rate from totals; null when its denominator is 0. Not clamped: over a short period a case
 * dispatched before the period and signed inside it counts in the numerator only.
 */
export function rateOf(totals: Partial<Record<Metric, number>>, name: RateName): number | null {
  const d = rateDefinitions[name];
  const denominator = totals[d.denominator] ?? 0;
  if (denominator === 0) return null;
  const numerator = d.numerator.reduce((n, m) => n + (totals[m] ?? 0), 0);
  return round4(numerator / denominator);
}

export function ratesOf<R extends RateName>(totals: Partial<Record<Metric, number>>, names: readonly R[]): Record<R, number | null> {
  return Object.fromEntries(names.map((r) => [r, rateOf(totals, r)])) as Record<R, number | null>;
}

/** The same rate, rounded the same way, as SQL over metric columns of `alias` (null when no denominator). */
export function rateSql(name: RateName, alias: string): SQL {
  const d = rateDefinitions[name];
  const column = (m: Metric) => sql`${sql.identifier(alias)}.${sql.identifier(m)}`;
  const numerator = sql.join(d.numerator.map(column), sql` + `);
  return sql`(case when ${column(d.denominator)} <> 0 then round((${numerator})::numeric / ${column(d.denominator)}, 4) end)`;
}
