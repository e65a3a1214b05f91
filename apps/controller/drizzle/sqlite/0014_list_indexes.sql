CREATE INDEX `envs_list` ON `envs` ("created_at" desc,`id`);--> statement-breakpoint
CREATE INDEX `envs_org_list` ON `envs` (`org_id`,"created_at" desc,`id`);--> statement-breakpoint
CREATE INDEX `hosts_list` ON `hosts` (`hostname`,`id`);