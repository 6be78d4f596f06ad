CREATE TABLE "classifier_models" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"version" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"active" boolean DEFAULT false NOT NULL,
	"metrics" jsonb,
	"model" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "classifier_models_version_key" ON "classifier_models" USING btree ("version");--> statement-breakpoint
CREATE UNIQUE INDEX "classifier_models_one_active" ON "classifier_models" USING btree ("active") WHERE "classifier_models"."active";