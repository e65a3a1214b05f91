ALTER TABLE `api_keys` ADD `scopes` text;--> statement-breakpoint
ALTER TABLE `hosts` ADD `credential_rotate_at` integer;--> statement-breakpoint
ALTER TABLE `hosts` ADD `next_credential_prefix` text;--> statement-breakpoint
ALTER TABLE `hosts` ADD `next_credential_hash` text;--> statement-breakpoint
ALTER TABLE `hosts` ADD `reregister_until` integer;