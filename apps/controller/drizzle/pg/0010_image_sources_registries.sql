CREATE TABLE "registries" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"token_enc" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "source_digest" text;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "source_format" text;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "os" text;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "version" text;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "arch" text;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "cloud_init" boolean;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "default_user" text;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "min_disk" bigint;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "description" text;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "box_name" text;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "box_version" text;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "box_provider" text;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "box_registry_id" text;--> statement-breakpoint
ALTER TABLE "registries" ADD CONSTRAINT "registries_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "registries_org_name" ON "registries" USING btree ("org_id","name");