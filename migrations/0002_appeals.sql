CREATE TABLE "appeal_attachments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"appeal_id" uuid NOT NULL,
	"event_id" bigint,
	"storage_key" text NOT NULL,
	"mime" text NOT NULL,
	"bytes" integer NOT NULL,
	"width" integer,
	"height" integer,
	"visibility" text DEFAULT 'public' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "appeal_handlers" (
	"appeal_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"role" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	"added_by" uuid,
	"signed_at" timestamp with time zone,
	"replied_at" timestamp with time zone,
	"note" text,
	CONSTRAINT "appeal_handlers_appeal_id_organisation_id_pk" PRIMARY KEY("appeal_id","organisation_id")
);
--> statement-breakpoint
CREATE TABLE "appeals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"idempotency_key" text,
	"channel" text NOT NULL,
	"status" text NOT NULL,
	"text" text NOT NULL,
	"category_code" text,
	"urgency" text DEFAULT 'normal' NOT NULL,
	"lon" double precision,
	"lat" double precision,
	"address" text,
	"territory_id" uuid NOT NULL,
	"territory_path" text NOT NULL,
	"district_code" text NOT NULL,
	"hide_identity" boolean DEFAULT false NOT NULL,
	"contact_name" text,
	"contact_phone" text,
	"reporter_id" uuid,
	"created_by" uuid,
	"lead_org_id" uuid,
	"dispatch_org_id" uuid NOT NULL,
	"route_rule" text,
	"route_reason" text,
	"sign_due_at" timestamp with time zone,
	"reply_due_at" timestamp with time zone,
	"resolve_due_at" timestamp with time zone,
	"deadline_state" text,
	"escalation_level" integer DEFAULT 0 NOT NULL,
	"dispatched_at" timestamp with time zone,
	"signed_at" timestamp with time zone,
	"replied_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"reply_text" text,
	"return_count" integer DEFAULT 0 NOT NULL,
	"extension_count" integer DEFAULT 0 NOT NULL,
	"extension_requested_until" timestamp with time zone,
	"extension_reason" text,
	"urge_count" integer DEFAULT 0 NOT NULL,
	"supervised" boolean DEFAULT false NOT NULL,
	"reopen_count" integer DEFAULT 0 NOT NULL,
	"parent_id" uuid,
	"duplicate_of_id" uuid,
	"resolution" text,
	"satisfaction" text,
	"rating_comment" text,
	"rated_at" timestamp with time zone,
	"rate_by" timestamp with time zone,
	"suggestions" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "categories" (
	"code" text PRIMARY KEY NOT NULL,
	"parent_code" text,
	"name_zh" text NOT NULL,
	"name_en" text,
	"dept_type" text,
	"level" text,
	"resolve_days" integer,
	"sort" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rollup_category" (
	"day" date NOT NULL,
	"node_path" text NOT NULL,
	"category_code" text NOT NULL,
	"metric" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "rollup_category_node_path_day_category_code_metric_pk" PRIMARY KEY("node_path","day","category_code","metric")
);
--> statement-breakpoint
CREATE TABLE "rollup_channel" (
	"day" date NOT NULL,
	"node_path" text NOT NULL,
	"channel" text NOT NULL,
	"metric" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "rollup_channel_node_path_day_channel_metric_pk" PRIMARY KEY("node_path","day","channel","metric")
);
--> statement-breakpoint
CREATE TABLE "rollup_deltas" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"day" date NOT NULL,
	"territory_path" text NOT NULL,
	"organisation_id" uuid,
	"category_code" text,
	"channel" text,
	"metric" text NOT NULL,
	"n" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rollup_territory" (
	"day" date NOT NULL,
	"node_path" text NOT NULL,
	"metric" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "rollup_territory_node_path_day_metric_pk" PRIMARY KEY("node_path","day","metric")
);
--> statement-breakpoint
CREATE TABLE "rollup_unit" (
	"day" date NOT NULL,
	"organisation_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "rollup_unit_organisation_id_day_metric_pk" PRIMARY KEY("organisation_id","day","metric")
);
--> statement-breakpoint
CREATE TABLE "routing_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"category_code" text NOT NULL,
	"territory_path" text NOT NULL,
	"level" text NOT NULL,
	"dept_type" text NOT NULL,
	"note" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "appeal_attachments" ADD CONSTRAINT "appeal_attachments_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeal_handlers" ADD CONSTRAINT "appeal_handlers_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "appeal_attachments_appeal_idx" ON "appeal_attachments" USING btree ("appeal_id");--> statement-breakpoint
CREATE INDEX "appeal_handlers_org_idx" ON "appeal_handlers" USING btree ("organisation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "appeals_code_key" ON "appeals" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "appeals_idempotency_key" ON "appeals" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "appeals_territory_path_idx" ON "appeals" USING btree ("territory_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "appeals_lead_status_idx" ON "appeals" USING btree ("lead_org_id","status");--> statement-breakpoint
CREATE INDEX "appeals_dispatch_status_idx" ON "appeals" USING btree ("dispatch_org_id","status");--> statement-breakpoint
CREATE INDEX "appeals_reporter_idx" ON "appeals" USING btree ("reporter_id","created_at");--> statement-breakpoint
CREATE INDEX "appeals_parent_idx" ON "appeals" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "appeals_open_due_idx" ON "appeals" USING btree ("resolve_due_at") WHERE "appeals"."status" not in ('closed', 'merged');--> statement-breakpoint
CREATE INDEX "appeals_created_idx" ON "appeals" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "routing_rules_unique" ON "routing_rules" USING btree ("category_code","territory_path") WHERE "routing_rules"."active";