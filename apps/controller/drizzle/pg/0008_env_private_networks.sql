CREATE TABLE "env_overlay_hosts" (
	"env_id" text NOT NULL,
	"host_id" text NOT NULL,
	"underlay_ip" text NOT NULL,
	"underlay_port" integer NOT NULL,
	CONSTRAINT "env_overlay_hosts_env_id_host_id_pk" PRIMARY KEY("env_id","host_id")
);
--> statement-breakpoint
ALTER TABLE "envs" ADD COLUMN "vni" integer;--> statement-breakpoint
ALTER TABLE "envs" ADD COLUMN "private_subnet" text;--> statement-breakpoint
ALTER TABLE "hosts" ADD COLUMN "networks" jsonb DEFAULT '["nat"]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "networks" jsonb;--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "private_ip" text;--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "nics" jsonb;--> statement-breakpoint
ALTER TABLE "env_overlay_hosts" ADD CONSTRAINT "env_overlay_hosts_env_id_envs_id_fk" FOREIGN KEY ("env_id") REFERENCES "public"."envs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "envs_vni" ON "envs" USING btree ("vni");--> statement-breakpoint
CREATE UNIQUE INDEX "vms_env_private_ip" ON "vms" USING btree ("env_id","private_ip");