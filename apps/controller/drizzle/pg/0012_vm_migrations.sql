ALTER TABLE "drains" ADD COLUMN "max_parallel" integer;--> statement-breakpoint
ALTER TABLE "drains" ADD COLUMN "moves" jsonb;--> statement-breakpoint
ALTER TABLE "sagas" ADD COLUMN "progress" jsonb;--> statement-breakpoint
ALTER TABLE "sagas" ADD COLUMN "memo" jsonb;