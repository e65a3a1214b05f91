CREATE TABLE `networks` (
	`name` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`link` text NOT NULL,
	`vlan` integer,
	`subnet` text,
	`gateway` text,
	`dns` text DEFAULT '[]' NOT NULL,
	`range` text,
	`state` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `storage_datasets` (
	`name` text PRIMARY KEY NOT NULL,
	`pool` text NOT NULL,
	`type` text NOT NULL,
	`charged_bytes` integer NOT NULL,
	`swap` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `vm_nics` (
	`vm_id` text NOT NULL,
	`idx` integer NOT NULL,
	`network` text NOT NULL,
	`vnic` text NOT NULL,
	`ip` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vm_nics_vm_idx` ON `vm_nics` (`vm_id`,`idx`);--> statement-breakpoint
CREATE UNIQUE INDEX `vm_nics_vnic` ON `vm_nics` (`vnic`);--> statement-breakpoint
CREATE UNIQUE INDEX `vm_nics_network_ip` ON `vm_nics` (`network`,`ip`);--> statement-breakpoint
CREATE INDEX `vm_nics_network` ON `vm_nics` (`network`);