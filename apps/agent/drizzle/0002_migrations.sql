CREATE TABLE `migration_exports` (
	`id` text PRIMARY KEY NOT NULL,
	`vm_id` text NOT NULL,
	`operation_id` text NOT NULL,
	`snapshot` text NOT NULL,
	`incremental_from` text,
	`target_url` text NOT NULL,
	`target_fingerprint` text,
	`transfer_token` text,
	`volumes` text DEFAULT '[]' NOT NULL,
	`error_code` text,
	`error_msg` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `migration_exports_vm` ON `migration_exports` (`vm_id`);--> statement-breakpoint
CREATE TABLE `migration_imports` (
	`id` text PRIMARY KEY NOT NULL,
	`vm_id` text NOT NULL,
	`state` text NOT NULL,
	`token_hash` text,
	`expires_at` text NOT NULL,
	`spec` text NOT NULL,
	`received` text DEFAULT '{}' NOT NULL,
	`operation_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `migration_imports_vm` ON `migration_imports` (`vm_id`);--> statement-breakpoint
ALTER TABLE `vms` ADD `mac` text;