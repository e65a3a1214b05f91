ALTER TABLE `drains` ADD `max_parallel` integer;--> statement-breakpoint
ALTER TABLE `drains` ADD `moves` text;--> statement-breakpoint
ALTER TABLE `sagas` ADD `progress` text;--> statement-breakpoint
ALTER TABLE `sagas` ADD `memo` text;