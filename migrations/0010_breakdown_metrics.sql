-- The category and channel rollups keep only the metrics read by category and by channel
-- (breakdownMetrics in modules/statistics/metrics.ts); the fold no longer adds the others there.
-- Rows of the others folded before are never read: they go.
DELETE FROM rollup_category WHERE metric NOT IN ('received', 'closed', 'rated', 'resolved', 'satisfied', 'basically_satisfied', 'unsatisfied', 'reopened');
--> statement-breakpoint
DELETE FROM rollup_channel WHERE metric NOT IN ('received', 'closed', 'rated', 'resolved', 'satisfied', 'basically_satisfied', 'unsatisfied', 'reopened');
