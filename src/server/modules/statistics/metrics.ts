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
