ALTER TABLE `sagas` ADD `org_id` text;--> statement-breakpoint
ALTER TABLE `sagas` ADD `vm_id` text;--> statement-breakpoint
ALTER TABLE `sagas` ADD `result` text;--> statement-breakpoint
ALTER TABLE `sagas` ADD `agent_op` text;--> statement-breakpoint
ALTER TABLE `sagas` ADD `reserved` text;--> statement-breakpoint
CREATE INDEX `sagas_vm` ON `sagas` (`vm_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `vms` ADD `disks` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `cdrom` text;--> statement-breakpoint
ALTER TABLE `vms` ADD `pending_changes` text;