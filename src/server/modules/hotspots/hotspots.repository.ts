// SQL of hotspots: sums over rollup_category (per day, territory node, category, metric) for a
// period and the one before it, in one range scan of its primary key (node_path, day, …). The
// appeals table is never read.
import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../db/client.ts';
import type { BreakdownMetric } from '../statistics/metrics.ts';
import type { Period } from '../statistics/statistics.repository.ts';

export interface FigureRow {
  node_path: string;
  category_code: string;
  received: number;
  previous_received: number;
  reopened: number;
  rated: number;
  unsatisfied: number;
  total: number;
}

export interface FigureQuery {
  nodePaths: readonly string[];
  current: Period;
  previous: Period;
  categoryCodes?: readonly string[] | undefined;
  /** Keep node × category pairs with at least this many cases received in the current period. */
  minReceived: number;
  limit: number;
}

/** What hotspots weigh, of what the category rollups keep. */
const figureMetrics = ['received', 'reopened', 'rated', 'unsatisfied'] as const satisfies readonly BreakdownMetric[];

const within = (p: Period) => sql`day between ${p.from}::date and ${p.to}::date`;

/** Node × category figures, most cases first; `total` counts the pairs before the limit. */
export async function categoryFigures(db: Executor, q: FigureQuery): Promise<FigureRow[]> {
  if (q.nodePaths.length === 0 || q.categoryCodes?.length === 0) return [];
  const from = q.previous.from < q.current.from ? q.previous.from : q.current.from;
  const to = q.previous.to > q.current.to ? q.previous.to : q.current.to;
  const sum = (metric: (typeof figureMetrics)[number], p: Period) => sql`coalesce(sum(n) filter (where metric = ${metric} and ${within(p)}), 0)::int`;
  const rows = await queryRows<FigureRow>(
    db,
    sql`select r.*, (count(*) over ())::int as total from (
          select node_path, category_code,
                 ${sum('received', q.current)} as received,
                 ${sum('received', q.previous)} as previous_received,
                 ${sum('reopened', q.current)} as reopened,
                 ${sum('rated', q.current)} as rated,
                 ${sum('unsatisfied', q.current)} as unsatisfied
          from rollup_category
          where node_path in (${sql.join(q.nodePaths.map((p) => sql`${p}`), sql`, `)})
            and day between ${from}::date and ${to}::date
            and metric in (${sql.join(figureMetrics.map((m) => sql`${m}`), sql`, `)})
            ${q.categoryCodes ? sql`and category_code in (${sql.join(q.categoryCodes.map((c) => sql`${c}`), sql`, `)})` : sql``}
          group by node_path, category_code
        ) r
        where r.received >= ${q.minReceived}
        order by r.received desc, r.node_path, r.category_code
        limit ${q.limit}`,
  );
  return rows.map((r) => ({
    ...r,
    received: Number(r.received),
    previous_received: Number(r.previous_received),
    reopened: Number(r.reopened),
    rated: Number(r.rated),
    unsatisfied: Number(r.unsatisfied),
    total: Number(r.total),
  }));
}

/** For each category, the `top` nodes among `nodePaths` with the most cases in the period. */
export async function topNodesByCategory(
  db: Executor,
  nodePaths: readonly string[],
  period: Period,
  categoryCodes: readonly string[],
  top: number,
): Promise<{ category_code: string; node_path: string; received: number }[]> {
  if (nodePaths.length === 0 || categoryCodes.length === 0) return [];
  const rows = await queryRows<{ category_code: string; node_path: string; received: number }>(
    db,
    sql`select category_code, node_path, received from (
          select category_code, node_path, sum(n)::int as received,
                 row_number() over (partition by category_code order by sum(n) desc, node_path) as k
          from rollup_category
          where node_path in (${sql.join(nodePaths.map((p) => sql`${p}`), sql`, `)})
            and ${within(period)} and metric = 'received'
            and category_code in (${sql.join(categoryCodes.map((c) => sql`${c}`), sql`, `)})
          group by category_code, node_path
        ) t
        where k <= ${top} and received > 0
        order by category_code, k`,
  );
  return rows.map((r) => ({ ...r, received: Number(r.received) }));
}
