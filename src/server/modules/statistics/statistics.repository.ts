// All SQL of the statistics reads. Every query reads the rollups (per day, per territory node,
// category, channel or unit) through their primary keys; none touches the appeals table.
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../../db/client.ts';
import { withinPaths } from '../../db/scope.ts';
import type { Metric } from './metrics.ts';

/** A closed range of Shanghai calendar days, `YYYY-MM-DD`. */
export interface Period {
  from: string;
  to: string;
}

export type MetricTotals<M extends Metric> = Record<M, number>;

/** `coalesce(sum(n) filter (where metric = 'x'), 0)::int as "x"` for each metric: one row per key. */
function pivot(list: readonly Metric[]): SQL {
  return sql.join(
    list.map((m) => sql`coalesce(sum(n) filter (where metric = ${m}), 0)::int as ${sql.identifier(m)}`),
    sql`, `,
  );
}

const between = (p: Period) => sql`day between ${p.from}::date and ${p.to}::date`;

/**
 * Sums of every metric at one node over each period, in one index range scan over the span of
 * all periods. Returns one `metric → n` map per period, in order (metrics with no rows absent).
 */
export async function sumNodeMetrics(db: Executor, nodePath: string, periods: readonly Period[]): Promise<Map<string, number>[]> {
  const from = periods.reduce((a, p) => (p.from < a ? p.from : a), periods[0]!.from);
  const to = periods.reduce((a, p) => (p.to > a ? p.to : a), periods[0]!.to);
  const columns = sql.join(
    periods.map((p, i) => sql`coalesce(sum(n) filter (where ${between(p)}), 0)::int as ${sql.identifier(`p${i}`)}`),
    sql`, `,
  );
  const rows = await queryRows<Record<string, number | string>>(
    db,
    sql`select metric, ${columns} from rollup_territory
        where node_path = ${nodePath} and ${between({ from, to })}
        group by metric`,
  );
  return periods.map((_, i) => new Map(rows.map((r) => [String(r.metric), Number(r[`p${i}`])])));
}

export interface SeriesRow {
  day: string;
  metric: string;
  n: number;
}

/** Per-day values of the given metrics at one node (days without a row are absent). */
export async function nodeSeries(db: Executor, nodePath: string, period: Period, list: readonly Metric[]): Promise<SeriesRow[]> {
  return queryRows<SeriesRow>(
    db,
    sql`select to_char(day, 'YYYY-MM-DD') as day, metric, n from rollup_territory
        where node_path = ${nodePath} and ${between(period)}
          and metric in (${sql.join(list.map((m) => sql`${m}`), sql`, `)})
        order by day`,
  );
}

/** Sums of the given metrics for each of several nodes (nodes without rows are absent). */
export async function sumNodesMetrics<M extends Metric>(
  db: Executor,
  nodePaths: readonly string[],
  period: Period,
  list: readonly M[],
): Promise<(MetricTotals<M> & { node_path: string })[]> {
  if (nodePaths.length === 0) return [];
  return queryRows(
    db,
    sql`select node_path, ${pivot(list)} from rollup_territory
        where node_path in (${sql.join(nodePaths.map((p) => sql`${p}`), sql`, `)}) and ${between(period)}
        group by node_path`,
  );
}

export type CategoryRow<M extends Metric> = MetricTotals<M> & {
  code: string;
  name_zh: string | null;
  name_en: string | null;
  parent_code: string | null;
  total: number;
};

/** Categories at one node ranked by cases received; names from `categories` when it has them. */
export async function categoryRanking<M extends Metric>(
  db: Executor,
  nodePath: string,
  period: Period,
  list: readonly M[],
  limit: number,
): Promise<CategoryRow<M>[]> {
  return queryRows(
    db,
    sql`select r.*, c.name_zh, c.name_en, c.parent_code, (count(*) over ())::int as total
        from (select category_code as code, ${pivot(list)} from rollup_category
              where node_path = ${nodePath} and ${between(period)}
              group by category_code) r
        left join categories c on c.code = r.code
        order by r.received desc, r.code
        limit ${limit}`,
  );
}

/** Channels at one node, most used first. */
export async function channelMix<M extends Metric>(
  db: Executor,
  nodePath: string,
  period: Period,
  list: readonly M[],
): Promise<(MetricTotals<M> & { channel: string })[]> {
  return queryRows(
    db,
    sql`select channel, ${pivot(list)} from rollup_channel
        where node_path = ${nodePath} and ${between(period)}
        group by channel
        order by received desc, channel`,
  );
}

export type UnitRow<M extends Metric> = MetricTotals<M> & {
  id: string;
  code: string;
  name_zh: string;
  name_en: string | null;
  type: string;
  territory_code: string;
  territory_path: string;
  total: number;
};

export interface UnitRankingQuery<M extends Metric> {
  /** Units attached to this territory or below it. */
  withinPath: string;
  period: Period;
  metrics: readonly M[];
  /** An SQL expression over the pivoted metric columns of `a` (whitelisted by the caller). */
  orderBy: SQL;
  descending: boolean;
  limit: number;
}

/** Units within a territory that have figures in the period, sorted and limited in SQL. */
export async function unitRanking<M extends Metric>(db: Executor, q: UnitRankingQuery<M>): Promise<UnitRow<M>[]> {
  const direction = q.descending ? sql`desc` : sql`asc`;
  return queryRows(
    db,
    sql`select a.*, o.code, o.name_zh, o.name_en, o.type, t.code as territory_code, o.territory_path,
               (count(*) over ())::int as total
        from (select organisation_id as id, ${pivot(q.metrics)} from rollup_unit
              where ${between(q.period)}
                and organisation_id in (select id from organisations where ${withinPaths(sql`territory_path`, [q.withinPath])})
              group by organisation_id) a
        join organisations o on o.id = a.id
        join territories t on t.id = o.territory_id
        order by ${q.orderBy} ${direction} nulls last, o.code
        limit ${q.limit}`,
  );
}
