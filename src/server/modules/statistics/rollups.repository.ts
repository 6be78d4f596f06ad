// SQL of the rollup fold: the lock, the extent of the delta backlog, and the one set-based
// statement that turns a range of deltas into rollup sums. Same SQL on PGlite and PostgreSQL.
import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../db/client.ts';
import { breakdownMetrics } from './metrics.ts';

/** Rollups keep territory nodes whose path has 1 to this many segments: city … community. */
export const rollupDepth = 4;

const foldLockKey = 0x67_7a_72_6f; // "gzro"

/**
 * Takes the fold lock for this transaction (false when another process folds) and reads the
 * lowest delta id waiting. The id comes from the statement's snapshot, which may predate a fold
 * that committed just before the lock was granted: harmless, since the deletion that follows
 * sees only what is still there.
 */
export async function lockFold(db: Executor): Promise<{ locked: boolean; min: number | null }> {
  const [row] = await queryRows<{ locked: boolean; min: string | number | null }>(
    db,
    sql`select pg_try_advisory_xact_lock(${foldLockKey}) as locked, (select min(id) from rollup_deltas) as min`,
  );
  return { locked: row?.locked === true, min: row?.min == null ? null : Number(row.min) };
}

/** The highest delta id waiting; null when nothing waits. */
export async function latestDeltaId(db: Executor): Promise<number | null> {
  const [row] = await queryRows<{ max: string | number | null }>(db, sql`select max(id) as max from rollup_deltas`);
  return row?.max == null ? null : Number(row.max);
}

/** Rows deleted from rollup_deltas whose space is not yet reclaimed (statistics may lag a little). */
export async function deadDeltaRows(db: Executor): Promise<number> {
  const [row] = await queryRows<{ dead: number }>(
    db,
    sql`select coalesce(sum(n_dead_tup), 0)::int as dead from pg_stat_user_tables where relname = 'rollup_deltas' and schemaname = current_schema()`,
  );
  return row?.dead ?? 0;
}

export async function vacuumDeltas(db: Executor): Promise<void> {
  await db.execute(sql`vacuum rollup_deltas`);
}

const breakdown = sql.join(breakdownMetrics.map((m) => sql`${m}`), sql`, `);

/**
 * Takes the deltas with `from ≤ id ≤ to` out of rollup_deltas and adds their sums to the rollups:
 * rollup_territory and (when the delta has one, and for the metrics they keep: breakdownMetrics)
 * rollup_category and rollup_channel for every ancestor node of the delta's territory, from the
 * city down to the community; rollup_unit for the handling unit. One statement: the deletion and
 * the four upserts commit or fail together.
 * Rows go in primary-key order: a node's figures for a day land side by side, so reading a node
 * over a period visits fewer pages, and a large backlog walks each index once instead of at random.
 * Deltas still uncommitted in other transactions are invisible here and wait for the next fold.
 */
export async function foldDeltaRange(db: Executor, from: number, to: number): Promise<number> {
  const [row] = await queryRows<{ deltas: number }>(
    db,
    sql`
      with taken as (
        delete from rollup_deltas where id between ${from} and ${to}
        returning day, territory_path, organisation_id, category_code, channel, metric, n
      ),
      nodes as (
        select d.day, array_to_string(s.segments[1:k], '.') as node_path, d.category_code, d.channel, d.metric, d.n
        from taken d
        cross join lateral (select string_to_array(d.territory_path, '.') as segments) s
        cross join lateral generate_series(1, least(${rollupDepth}::int, cardinality(s.segments))) as k
      ),
      territory_sums as (
        insert into rollup_territory (day, node_path, metric, n)
        select day, node_path, metric, sum(n) from nodes
        group by day, node_path, metric having sum(n) <> 0
        order by node_path, day, metric
        on conflict (node_path, day, metric) do update set n = rollup_territory.n + excluded.n
      ),
      category_sums as (
        insert into rollup_category (day, node_path, category_code, metric, n)
        select day, node_path, category_code, metric, sum(n) from nodes where category_code is not null and metric in (${breakdown})
        group by day, node_path, category_code, metric having sum(n) <> 0
        order by node_path, day, category_code, metric
        on conflict (node_path, day, category_code, metric) do update set n = rollup_category.n + excluded.n
      ),
      channel_sums as (
        insert into rollup_channel (day, node_path, channel, metric, n)
        select day, node_path, channel, metric, sum(n) from nodes where channel is not null and metric in (${breakdown})
        group by day, node_path, channel, metric having sum(n) <> 0
        order by node_path, day, channel, metric
        on conflict (node_path, day, channel, metric) do update set n = rollup_channel.n + excluded.n
      ),
      unit_sums as (
        insert into rollup_unit (day, organisation_id, metric, n)
        select day, organisation_id, metric, sum(n) from taken where organisation_id is not null
        group by day, organisation_id, metric having sum(n) <> 0
        order by organisation_id, day, metric
        on conflict (organisation_id, day, metric) do update set n = rollup_unit.n + excluded.n
      )
      select count(*)::int as deltas from taken`,
  );
  return row?.deltas ?? 0;
}
