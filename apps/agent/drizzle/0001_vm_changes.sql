CREATE TABLE `vm_snapshots` (
	`vm_id` text NOT NULL,
	`name` text NOT NULL,
	`machine` text NOT NULL,
	`used_bytes` integer,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vm_snapshots_vm_name` ON `vm_snapshots` (`vm_id`,`name`);--> statement-breakpoint
ALTER TABLE `operations` ADD `params` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `disks` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `vms` ADD `cdrom` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `boot_iso` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `vms` ADD `source_snapshot` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `booted` text;