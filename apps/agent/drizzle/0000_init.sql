CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`purpose` text DEFAULT 'user' NOT NULL,
	`created_at` text NOT NULL,
	`last_used_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE TABLE `images` (
	`digest` text PRIMARY KEY NOT NULL,
	`name` text,
	`format` text NOT NULL,
	`size` integer NOT NULL,
	`location` text NOT NULL,
	`disk_bytes` integer NOT NULL,
	`imported_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `operations` (
	`id` text PRIMARY KEY NOT NULL,
	`vm_id` text NOT NULL,
	`kind` text NOT NULL,
	`state` text NOT NULL,
	`step` text,
	`done_steps` text DEFAULT '[]' NOT NULL,
	`error_code` text,
	`error_msg` text,
	`request_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `operations_vm` ON `operations` (`vm_id`);--> statement-breakpoint
CREATE INDEX `operations_state` ON `operations` (`state`);--> statement-breakpoint
CREATE TABLE `port_allocations` (
	`host_port` integer PRIMARY KEY NOT NULL,
	`vm_id` text NOT NULL,
	`guest_port` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `port_allocations_vm_guest` ON `port_allocations` (`vm_id`,`guest_port`);--> statement-breakpoint
CREATE TABLE `vms` (
	`id` text PRIMARY KEY NOT NULL,
	`env_id` text NOT NULL,
	`image` text NOT NULL,
	`image_digest` text,
	`cpu` integer NOT NULL,
	`mem` integer NOT NULL,
	`disk` integer NOT NULL,
	`ports` text NOT NULL,
	`deny_outgoing` integer NOT NULL,
	`ssh_keys` text NOT NULL,
	`clone_mode` text NOT NULL,
	`spec_hash` text NOT NULL,
	`state` text NOT NULL,
	`error_code` text,
	`error_msg` text,
	`slot` integer,
	`generation` integer NOT NULL,
	`operation_id` text,
	`reserved` integer NOT NULL,
	`needs_cleanup` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vms_slot` ON `vms` (`slot`);--> statement-breakpoint
CREATE INDEX `vms_env` ON `vms` (`env_id`);