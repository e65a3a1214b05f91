CREATE TABLE `env_overlay_hosts` (
	`env_id` text NOT NULL,
	`host_id` text NOT NULL,
	`underlay_ip` text NOT NULL,
	`underlay_port` integer NOT NULL,
	PRIMARY KEY(`env_id`, `host_id`),
	FOREIGN KEY (`env_id`) REFERENCES `envs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `envs` ADD `vni` integer;--> statement-breakpoint
ALTER TABLE `envs` ADD `private_subnet` text;--> statement-breakpoint
CREATE UNIQUE INDEX `envs_vni` ON `envs` (`vni`);--> statement-breakpoint
ALTER TABLE `hosts` ADD `networks` text DEFAULT '["nat"]' NOT NULL;--> statement-breakpoint
ALTER TABLE `vms` ADD `networks` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `private_ip` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `nics` text;--> statement-breakpoint
CREATE UNIQUE INDEX `vms_env_private_ip` ON `vms` (`env_id`,`private_ip`);