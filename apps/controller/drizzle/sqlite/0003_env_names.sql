-- Environment and VM names become unique per organization; ids stay global and internal.
-- Existing rows keep their environments: the id was the name until now, so it becomes the name
-- (a VM's id is also its zone name on its host, which must not change).
DROP INDEX `envs_org`;--> statement-breakpoint
ALTER TABLE `envs` ADD `name` text NOT NULL DEFAULT '';--> statement-breakpoint
UPDATE `envs` SET `name` = `id`;--> statement-breakpoint
CREATE UNIQUE INDEX `envs_org_name` ON `envs` (`org_id`,`name`);--> statement-breakpoint
ALTER TABLE `vms` ADD `name` text NOT NULL DEFAULT '';--> statement-breakpoint
UPDATE `vms` SET `name` = `id`;--> statement-breakpoint
CREATE UNIQUE INDEX `vms_org_name` ON `vms` (`org_id`,`name`);
