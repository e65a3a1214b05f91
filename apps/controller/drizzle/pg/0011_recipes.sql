CREATE TABLE "org_secrets" (
	"org_id" text NOT NULL,
	"name" text NOT NULL,
	"sealed" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "org_secrets_org_id_name_pk" PRIMARY KEY("org_id","name")
);
--> statement-breakpoint
CREATE TABLE "recipes" (
	"org_id" text NOT NULL,
	"name" text NOT NULL,
	"version" integer NOT NULL,
	"description" text NOT NULL,
	"steps" jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "recipes_org_id_name_version_pk" PRIMARY KEY("org_id","name","version")
);
--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "default_recipe" text;--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "recipe" text;--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "recipe_version" integer;--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "recipe_state" text;--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "recipe_transcript" text;--> statement-breakpoint
ALTER TABLE "org_secrets" ADD CONSTRAINT "org_secrets_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recipes" ADD CONSTRAINT "recipes_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;