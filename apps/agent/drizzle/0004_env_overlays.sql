CREATE TABLE `env_overlays` (
	`env_id` text PRIMARY KEY NOT NULL,
	`vni` integer NOT NULL,
	`subnet` text NOT NULL,
	`link` text NOT NULL,
	`mapping_file` text NOT NULL,
	`underlay_ip` text NOT NULL,
	`underlay_port` integer NOT NULL,
	`entries` text DEFAULT '[]' NOT NULL,
	`state` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `env_overlays_vni` ON `env_overlays` (`vni`);--> statement-breakpoint
ALTER TABLE `vm_nics` ADD `mac` text;