CREATE TABLE "sagas" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"resource" text NOT NULL,
	"state" text NOT NULL,
	"step" text,
	"done_steps" jsonb NOT NULL,
	"input" jsonb NOT NULL,
	"error_code" text,
	"error_msg" text,
	"leftovers" jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "sagas_one_per_resource" ON "sagas" USING btree ("resource") WHERE "sagas"."state" IN ('running', 'undoing');--> statement-breakpoint
CREATE INDEX "sagas_state" ON "sagas" USING btree ("state");