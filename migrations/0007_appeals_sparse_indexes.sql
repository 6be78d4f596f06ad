DROP INDEX "appeals_reporter_idx";--> statement-breakpoint
DROP INDEX "appeals_parent_idx";--> statement-breakpoint
CREATE INDEX "appeals_reporter_idx" ON "appeals" USING btree ("reporter_id","created_at") WHERE "appeals"."reporter_id" is not null;--> statement-breakpoint
CREATE INDEX "appeals_parent_idx" ON "appeals" USING btree ("parent_id") WHERE "appeals"."parent_id" is not null;