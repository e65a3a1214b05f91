DROP INDEX "host_images_digest";--> statement-breakpoint
CREATE INDEX "host_images_digest" ON "host_images" USING btree ("digest","host_id");