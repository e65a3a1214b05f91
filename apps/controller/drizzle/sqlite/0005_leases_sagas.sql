CREATE TABLE `leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`epoch` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sagas` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`resource` text NOT NULL,
	`state` text NOT NULL,
	`step` text,
	`done_steps` text NOT NULL,
	`input` text NOT NULL,
	`error_code` text,
	`error_msg` text,
	`leftovers` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sagas_one_per_resource` ON `sagas` (`resource`) WHERE "sagas"."state" IN ('running', 'undoing');--> statement-breakpoint
CREATE INDEX `sagas_state` ON `sagas` (`state`);