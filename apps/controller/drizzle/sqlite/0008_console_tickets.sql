CREATE TABLE `console_tickets` (
	`hash` text PRIMARY KEY NOT NULL,
	`user_key` text NOT NULL,
	`org_key` text NOT NULL,
	`grant` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `console_tickets_user` ON `console_tickets` (`user_key`,`expires_at`);--> statement-breakpoint
CREATE INDEX `console_tickets_org` ON `console_tickets` (`org_key`,`expires_at`);--> statement-breakpoint
CREATE INDEX `console_tickets_expiry` ON `console_tickets` (`expires_at`);