// Appends statistics deltas inside the transaction of the change they describe.
import type { CallContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import { defineStatement, runStatement } from '../../db/statements.ts';
import { formatCalendarDate, shanghaiDay } from '../calendar/work-calendar.ts';
import type { MetricDelta, MetricSubject } from './metrics.ts';

const insertDeltas = defineStatement(
  'gz_record_metrics',
  `insert into rollup_deltas (day, territory_path, organisation_id, category_code, channel, metric, n)
   select $day::date, $territoryPath, $organisationId::uuid, $categoryCode, $channel, d.metric, d.n
   from jsonb_to_recordset($deltas::jsonb) as d(metric text, n int)`,
);

export async function recordMetrics(db: Executor, ctx: CallContext, subject: MetricSubject, deltas: MetricDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await runStatement(db, insertDeltas, {
    day: formatCalendarDate(shanghaiDay(ctx.now)),
    territoryPath: subject.territoryPath,
    organisationId: subject.organisationId,
    categoryCode: subject.categoryCode,
    channel: subject.channel,
    deltas: JSON.stringify(deltas.map((d) => ({ metric: d.metric, n: d.n ?? 1 }))),
  });
}
