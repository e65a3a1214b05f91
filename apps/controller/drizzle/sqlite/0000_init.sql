CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`key_hash` text NOT NULL,
	`role` text NOT NULL,
	`org_id` text,
	`user_id` text,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	`last_used_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `api_keys_prefix` ON `api_keys` (`prefix`);--> statement-breakpoint
CREATE TABLE `drains` (
	`id` text PRIMARY KEY NOT NULL,
	`host_id` text NOT NULL,
	`mode` text NOT NULL,
	`state` text NOT NULL,
	`deadline` integer,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`vm_ids` text NOT NULL,
	`stop_issued_at` integer,
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `drains_host` ON `drains` (`host_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `envs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`owner` text,
	`created_by` text,
	`state` text NOT NULL,
	`ssh_keys` text NOT NULL,
	`lifetime` integer NOT NULL,
	`on_failure` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`error_code` text,
	`error_msg` text,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `envs_org` ON `envs` (`org_id`);--> statement-breakpoint
CREATE INDEX `envs_expiry` ON `envs` (`state`,`expires_at`);--> statement-breakpoint
CREATE TABLE `host_images` (
	`host_id` text NOT NULL,
	`digest` text NOT NULL,
	PRIMARY KEY(`host_id`, `digest`),
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `host_images_digest` ON `host_images` (`digest`);--> statement-breakpoint
CREATE TABLE `hosts` (
	`id` text PRIMARY KEY NOT NULL,
	`hostname` text NOT NULL,
	`addr` text NOT NULL,
	`public_addr` text NOT NULL,
	`org_id` text,
	`source` text NOT NULL,
	`liveness` text NOT NULL,
	`policy` text NOT NULL,
	`engines` text NOT NULL,
	`storage` text NOT NULL,
	`agent_version` text NOT NULL,
	`api_version` text NOT NULL,
	`agent_key_enc` text,
	`credential_prefix` text,
	`credential_hash` text,
	`license_key_id` text,
	`total_cpu` integer DEFAULT 0 NOT NULL,
	`total_mem` integer DEFAULT 0 NOT NULL,
	`total_disk` integer DEFAULT 0 NOT NULL,
	`used_cpu` integer DEFAULT 0 NOT NULL,
	`used_mem` integer DEFAULT 0 NOT NULL,
	`used_disk` integer DEFAULT 0 NOT NULL,
	`foreign_cpu` integer DEFAULT 0 NOT NULL,
	`foreign_mem` integer DEFAULT 0 NOT NULL,
	`foreign_disk` integer DEFAULT 0 NOT NULL,
	`reserved_cpu` integer DEFAULT 0 NOT NULL,
	`reserved_mem` integer DEFAULT 0 NOT NULL,
	`reserved_disk` integer DEFAULT 0 NOT NULL,
	`vm_count` integer DEFAULT 0 NOT NULL,
	`inventory_generation` integer DEFAULT -1 NOT NULL,
	`last_heartbeat_at` integer,
	`registered_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `hosts_org` ON `hosts` (`org_id`);--> statement-breakpoint
CREATE INDEX `hosts_sched` ON `hosts` (`liveness`,`policy`);--> statement-breakpoint
CREATE TABLE `images` (
	`id` text PRIMARY KEY NOT NULL,
	`digest` text NOT NULL,
	`name` text NOT NULL,
	`format` text NOT NULL,
	`size` integer NOT NULL,
	`org_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `images_digest_org` ON `images` (`digest`,`org_id`);--> statement-breakpoint
CREATE INDEX `images_name` ON `images` (`name`);--> statement-breakpoint
CREATE TABLE `license_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`key_hash` text NOT NULL,
	`org_id` text,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `license_keys_prefix` ON `license_keys` (`prefix`);--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `orgs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orgs_name_unique` ON `orgs` (`name`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`prefix` text NOT NULL,
	`token_hash` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_prefix` ON `sessions` (`prefix`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text NOT NULL,
	`org_id` text,
	`disabled` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);--> statement-breakpoint
CREATE TABLE `vms` (
	`id` text PRIMARY KEY NOT NULL,
	`env_id` text NOT NULL,
	`idx` integer NOT NULL,
	`org_id` text NOT NULL,
	`host_id` text,
	`image` text NOT NULL,
	`image_digest` text,
	`engine` text NOT NULL,
	`cpu` integer NOT NULL,
	`mem` integer NOT NULL,
	`disk` integer NOT NULL,
	`ports` text NOT NULL,
	`deny_outgoing` integer NOT NULL,
	`state` text NOT NULL,
	`ip` text,
	`port_map` text NOT NULL,
	`error_code` text,
	`error_msg` text,
	`generation` integer DEFAULT 0 NOT NULL,
	`reserved` integer DEFAULT false NOT NULL,
	`sent` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`env_id`) REFERENCES `envs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `vms_env` ON `vms` (`env_id`);--> statement-breakpoint
CREATE INDEX `vms_host` ON `vms` (`host_id`,`state`);