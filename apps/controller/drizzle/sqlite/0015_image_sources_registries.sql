CREATE TABLE `registries` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`token_enc` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `registries_org_name` ON `registries` (`org_id`,`name`);--> statement-breakpoint
ALTER TABLE `images` ADD `source_digest` text;--> statement-breakpoint
ALTER TABLE `images` ADD `source_format` text;--> statement-breakpoint
ALTER TABLE `images` ADD `os` text;--> statement-breakpoint
ALTER TABLE `images` ADD `version` text;--> statement-breakpoint
ALTER TABLE `images` ADD `arch` text;--> statement-breakpoint
ALTER TABLE `images` ADD `cloud_init` integer;--> statement-breakpoint
ALTER TABLE `images` ADD `default_user` text;--> statement-breakpoint
ALTER TABLE `images` ADD `min_disk` integer;--> statement-breakpoint
ALTER TABLE `images` ADD `description` text;--> statement-breakpoint
ALTER TABLE `images` ADD `box_name` text;--> statement-breakpoint
ALTER TABLE `images` ADD `box_version` text;--> statement-breakpoint
ALTER TABLE `images` ADD `box_provider` text;--> statement-breakpoint
ALTER TABLE `images` ADD `box_registry_id` text;