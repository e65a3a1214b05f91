DROP INDEX `host_images_digest`;--> statement-breakpoint
CREATE INDEX `host_images_digest` ON `host_images` (`digest`,`host_id`);