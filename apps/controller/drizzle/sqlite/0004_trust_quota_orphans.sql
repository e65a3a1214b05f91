CREATE TABLE `host_orphans` (
	`host_id` text NOT NULL,
	`vm_id` text NOT NULL,
	`apiary` integer NOT NULL,
	`zone_state` text,
	`holds` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`removal_at` integer,
	`removal_error` text,
	PRIMARY KEY(`host_id`, `vm_id`),
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `orgs` ADD `image_quota_bytes` integer;