-- The rollups are updated in place by every fold (n = n + delta). Room left in each page lets
-- the new row version stay on the page of the old one (a HOT update: no new index entry, and
-- the old version is pruned on the spot). Pages written before this keep no room until the
-- table is rewritten; new pages do.
ALTER TABLE "rollup_territory" SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE "rollup_category" SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE "rollup_channel" SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE "rollup_unit" SET (fillfactor = 70);
