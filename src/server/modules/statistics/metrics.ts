// The statistics vocabulary. Every change to a case appends deltas of these metrics
// (rollup_deltas); the rollup fold sums them per day into territory, category, channel and unit
// rollups. Rates are ratios of metrics over a period:
//   响应率 responseRate     = signed_on_time / dispatched
//   解决率 resolutionRate   = resolved / rated
//   满意率 satisfactionRate = (satisfied + basically_satisfied) / rated
//   按时办结率 onTimeRate   = closed_on_time / closed
export const metrics = [
  'received',
  'dispatched',
  'signed',
  'signed_on_time',
  'replied',
  'replied_on_time',
  'closed',
  'closed_on_time',
  'rated',
  'resolved',
  'partly_resolved',
  'satisfied',
  'basically_satisfied',
  'unsatisfied',
  'returned',
  'extended',
  'reopened',
  'warned',
  'overdue',
  'urged',
  'supervised',
  'escalated',
  'merged',
] as const;
export type Metric = (typeof metrics)[number];

/**
 * The metrics the category and channel rollups keep; the territory and unit rollups keep every
 * one. Views by category and by channel (statistics, hotspots) report volumes and what residents
 * made of the outcome, never the steps in between (dispatched, signed, warned …). Those would
 * only add rows nobody reads, and dear ones: below a street almost every case has a category
 * row of its own for each metric, so each metric kept costs the fold an upsert per case and level.
 */
export const breakdownMetrics = ['received', 'closed', 'rated', 'resolved', 'satisfied', 'basically_satisfied', 'unsatisfied', 'reopened'] as const satisfies readonly Metric[];
export type BreakdownMetric = (typeof breakdownMetrics)[number];

export interface MetricDelta {
  metric: Metric;
  n?: number;
}

/** The case facts a delta is filed under. */
export interface MetricSubject {
  territoryPath: string;
  organisationId: string | null;
  categoryCode: string | null;
  channel: string;
}
