CREATE TABLE `audit_events` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`org_id` text,
	`actor_kind` text NOT NULL,
	`actor_id` text,
	`actor_name` text NOT NULL,
	`api_key_id` text,
	`action` text NOT NULL,
	`resource_kind` text NOT NULL,
	`resource_id` text,
	`outcome` text NOT NULL,
	`error_code` text,
	`request_id` text,
	`source_addr` text
);
--> statement-breakpoint
CREATE INDEX `audit_at` ON `audit_events` (`at`);--> statement-breakpoint
CREATE INDEX `audit_org_at` ON `audit_events` (`org_id`,`at`);--> statement-breakpoint
CREATE INDEX `audit_resource` ON `audit_events` (`resource_kind`,`resource_id`,`at`);