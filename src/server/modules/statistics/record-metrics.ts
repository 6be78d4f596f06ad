// Appends statistics deltas inside the transaction of the change they describe.
import type { CallContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import { rollupDeltas } from '../../db/schema.ts';
import { formatCalendarDate, shanghaiDay } from '../calendar/work-calendar.ts';
import type { MetricDelta, MetricSubject } from './metrics.ts';

export async function recordMetrics(db: Executor, ctx: CallContext, subject: MetricSubject, deltas: MetricDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const day = formatCalendarDate(shanghaiDay(ctx.now));
  await db.insert(rollupDeltas).values(
    deltas.map((d) => ({
      day,
      territoryPath: subject.territoryPath,
      organisationId: subject.organisationId,
      categoryCode: subject.categoryCode,
      channel: subject.channel,
      metric: d.metric,
      n: d.n ?? 1,
    })),
  );
}
