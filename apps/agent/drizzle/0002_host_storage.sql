CREATE TABLE `storage_datasets` (
	`name` text PRIMARY KEY NOT NULL,
	`pool` text NOT NULL,
	`type` text NOT NULL,
	`charged_bytes` integer NOT NULL,
	`swap` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL
);
