CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"role" text NOT NULL,
	"org_id" text,
	"user_id" text,
	"scopes" jsonb,
	"created_at" bigint NOT NULL,
	"expires_at" bigint,
	"revoked_at" bigint,
	"last_used_at" bigint
);
--> statement-breakpoint
CREATE TABLE "drains" (
	"id" text PRIMARY KEY NOT NULL,
	"host_id" text NOT NULL,
	"mode" text NOT NULL,
	"state" text NOT NULL,
	"deadline" bigint,
	"started_at" bigint NOT NULL,
	"finished_at" bigint,
	"vm_ids" jsonb NOT NULL,
	"stop_issued_at" bigint
);
--> statement-breakpoint
CREATE TABLE "envs" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"org_id" text NOT NULL,
	"owner" text,
	"created_by" text,
	"state" text NOT NULL,
	"ssh_keys" jsonb NOT NULL,
	"lifetime" integer NOT NULL,
	"on_failure" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"error_code" text,
	"error_msg" text
);
--> statement-breakpoint
CREATE TABLE "host_images" (
	"host_id" text NOT NULL,
	"digest" text NOT NULL,
	CONSTRAINT "host_images_host_id_digest_pk" PRIMARY KEY("host_id","digest")
);
--> statement-breakpoint
CREATE TABLE "host_orphans" (
	"host_id" text NOT NULL,
	"vm_id" text NOT NULL,
	"apiary" boolean NOT NULL,
	"zone_state" text,
	"holds" jsonb NOT NULL,
	"first_seen_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"removal_at" bigint,
	"removal_error" text,
	CONSTRAINT "host_orphans_host_id_vm_id_pk" PRIMARY KEY("host_id","vm_id")
);
--> statement-breakpoint
CREATE TABLE "hosts" (
	"id" text PRIMARY KEY NOT NULL,
	"hostname" text NOT NULL,
	"addr" text NOT NULL,
	"public_addr" text NOT NULL,
	"org_id" text,
	"source" text NOT NULL,
	"liveness" text NOT NULL,
	"policy" text NOT NULL,
	"engines" jsonb NOT NULL,
	"storage" text NOT NULL,
	"agent_version" text NOT NULL,
	"api_version" text NOT NULL,
	"agent_key_enc" text,
	"credential_prefix" text,
	"credential_hash" text,
	"credential_rotate_at" bigint,
	"next_credential_prefix" text,
	"next_credential_hash" text,
	"reregister_until" bigint,
	"license_key_id" text,
	"total_cpu" integer DEFAULT 0 NOT NULL,
	"total_mem" integer DEFAULT 0 NOT NULL,
	"total_disk" integer DEFAULT 0 NOT NULL,
	"used_cpu" integer DEFAULT 0 NOT NULL,
	"used_mem" integer DEFAULT 0 NOT NULL,
	"used_disk" integer DEFAULT 0 NOT NULL,
	"foreign_cpu" integer DEFAULT 0 NOT NULL,
	"foreign_mem" integer DEFAULT 0 NOT NULL,
	"foreign_disk" integer DEFAULT 0 NOT NULL,
	"reserved_cpu" integer DEFAULT 0 NOT NULL,
	"reserved_mem" integer DEFAULT 0 NOT NULL,
	"reserved_disk" integer DEFAULT 0 NOT NULL,
	"vm_count" integer DEFAULT 0 NOT NULL,
	"inventory_generation" bigint DEFAULT -1 NOT NULL,
	"last_heartbeat_at" bigint,
	"registered_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "images" (
	"id" text PRIMARY KEY NOT NULL,
	"digest" text NOT NULL,
	"name" text NOT NULL,
	"format" text NOT NULL,
	"size" bigint NOT NULL,
	"org_id" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"epoch" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "license_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"org_id" text,
	"created_at" bigint NOT NULL,
	"revoked_at" bigint
);
--> statement-breakpoint
CREATE TABLE "meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orgs" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" bigint NOT NULL,
	"image_quota_bytes" bigint,
	CONSTRAINT "orgs_name_unique" UNIQUE("name")
);
--> statement-breakpoint
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
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"prefix" text NOT NULL,
	"token_hash" text NOT NULL,
	"user_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" text NOT NULL,
	"org_id" text,
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "users_username_unique" UNIQUE("username")
);
--> statement-breakpoint
CREATE TABLE "vms" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"env_id" text NOT NULL,
	"idx" integer NOT NULL,
	"org_id" text NOT NULL,
	"host_id" text,
	"image" text NOT NULL,
	"image_digest" text,
	"engine" text NOT NULL,
	"cpu" integer NOT NULL,
	"mem" integer NOT NULL,
	"disk" integer NOT NULL,
	"ports" jsonb NOT NULL,
	"deny_outgoing" boolean NOT NULL,
	"state" text NOT NULL,
	"ip" text,
	"port_map" jsonb NOT NULL,
	"error_code" text,
	"error_msg" text,
	"generation" bigint DEFAULT 0 NOT NULL,
	"reserved" boolean DEFAULT false NOT NULL,
	"sent" boolean DEFAULT false NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drains" ADD CONSTRAINT "drains_host_id_hosts_id_fk" FOREIGN KEY ("host_id") REFERENCES "public"."hosts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "envs" ADD CONSTRAINT "envs_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "host_images" ADD CONSTRAINT "host_images_host_id_hosts_id_fk" FOREIGN KEY ("host_id") REFERENCES "public"."hosts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "host_orphans" ADD CONSTRAINT "host_orphans_host_id_hosts_id_fk" FOREIGN KEY ("host_id") REFERENCES "public"."hosts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hosts" ADD CONSTRAINT "hosts_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "images" ADD CONSTRAINT "images_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "license_keys" ADD CONSTRAINT "license_keys_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vms" ADD CONSTRAINT "vms_env_id_envs_id_fk" FOREIGN KEY ("env_id") REFERENCES "public"."envs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_prefix" ON "api_keys" USING btree ("prefix");--> statement-breakpoint
CREATE INDEX "drains_host" ON "drains" USING btree ("host_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "envs_org_name" ON "envs" USING btree ("org_id","name");--> statement-breakpoint
CREATE INDEX "envs_expiry" ON "envs" USING btree ("state","expires_at");--> statement-breakpoint
CREATE INDEX "host_images_digest" ON "host_images" USING btree ("digest");--> statement-breakpoint
CREATE INDEX "hosts_org" ON "hosts" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "hosts_sched" ON "hosts" USING btree ("liveness","policy");--> statement-breakpoint
CREATE INDEX "hosts_free_mem" ON "hosts" USING btree ("org_id","liveness","policy",("total_mem" - "reserved_mem" - "foreign_mem"));--> statement-breakpoint
CREATE UNIQUE INDEX "images_digest_org" ON "images" USING btree ("digest","org_id");--> statement-breakpoint
CREATE INDEX "images_name" ON "images" USING btree ("name");--> statement-breakpoint
CREATE INDEX "license_keys_prefix" ON "license_keys" USING btree ("prefix");--> statement-breakpoint
CREATE UNIQUE INDEX "sagas_one_per_resource" ON "sagas" USING btree ("resource") WHERE "sagas"."state" IN ('running', 'undoing');--> statement-breakpoint
CREATE INDEX "sagas_state" ON "sagas" USING btree ("state");--> statement-breakpoint
CREATE INDEX "sessions_prefix" ON "sessions" USING btree ("prefix");--> statement-breakpoint
CREATE INDEX "vms_env" ON "vms" USING btree ("env_id");--> statement-breakpoint
CREATE INDEX "vms_host" ON "vms" USING btree ("host_id","state");--> statement-breakpoint
CREATE UNIQUE INDEX "vms_org_name" ON "vms" USING btree ("org_id","name");