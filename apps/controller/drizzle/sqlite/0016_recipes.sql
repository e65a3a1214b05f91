CREATE TABLE `org_secrets` (
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`sealed` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `name`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `recipes` (
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`version` integer NOT NULL,
	`description` text NOT NULL,
	`steps` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `name`, `version`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `images` ADD `default_recipe` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `recipe` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `recipe_version` integer;--> statement-breakpoint
ALTER TABLE `vms` ADD `recipe_state` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `recipe_transcript` text;