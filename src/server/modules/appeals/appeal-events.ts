// Every change to a case is recorded the same way: one timeline event (which the resident
// sees when public) and the statistics deltas it implies, in the transaction of the change.
import type { CallContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import { recordEvent, type EventInput, type Visibility } from '../events/events.service.ts';
import type { MetricDelta, MetricSubject } from '../statistics/metrics.ts';
import { recordMetrics } from '../statistics/record-metrics.ts';
import type { AppealRow } from './appeals.repository.ts';

export interface AppealChange {
  action: string;
  visibility: Visibility;
  fromState?: string | null;
  toState?: string | null;
  note?: string | null;
  data?: Record<string, unknown>;
  actorRole?: string | null;
  actorOrganisationId?: string | null;
  metrics?: MetricDelta[];
  /** The unit the metrics are filed under; the case's lead unit by default. */
  metricsOrganisationId?: string | null;
}

/** What an event names of its case: enough to file it and to reach those involved live. */
export type EventSubject = Pick<AppealRow, 'id' | 'code' | 'territoryPath' | 'leadOrgId' | 'dispatchOrgId'> & { reporterId?: string | null };

/** The timeline event of a change to the case, as recordAppealChange writes it. */
export function appealChangeEvent(appeal: EventSubject, change: AppealChange): EventInput {
  return {
    action: change.action,
    subjectType: 'appeal',
    subjectId: appeal.id,
    territoryPath: appeal.territoryPath,
    visibility: change.visibility,
    fromState: change.fromState ?? null,
    toState: change.toState ?? null,
    note: change.note ?? null,
    actorRole: change.actorRole ?? null,
    actorOrganisationId: change.actorOrganisationId ?? null,
    // Units involved, and on public steps the reporter, so live updates reach them (see
    // notifications/stream.relevance.ts).
    data: {
      code: appeal.code,
      organisationIds: [appeal.leadOrgId, appeal.dispatchOrgId].filter(Boolean),
      ...(change.visibility === 'public' && appeal.reporterId && { accountIds: [appeal.reporterId] }),
      ...change.data,
    },
  };
}

/** The unit a change's statistics deltas are filed under: the case's lead unit unless the change names one. */
export function metricsSubject(appeal: AppealRow, change: Pick<AppealChange, 'metricsOrganisationId'>): MetricSubject {
  return {
    territoryPath: appeal.territoryPath,
    organisationId: change.metricsOrganisationId !== undefined ? change.metricsOrganisationId : appeal.leadOrgId,
    categoryCode: appeal.categoryCode,
    channel: appeal.channel,
  };
}

export async function recordAppealChange(db: Executor, ctx: CallContext, appeal: AppealRow, change: AppealChange): Promise<void> {
  await recordEvent(db, ctx, appealChangeEvent(appeal, change));
  if (change.metrics?.length) await recordMetrics(db, ctx, metricsSubject(appeal, change), change.metrics);
}
