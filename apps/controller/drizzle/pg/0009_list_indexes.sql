CREATE INDEX "envs_list" ON "envs" USING btree ("created_at" desc,"id");--> statement-breakpoint
CREATE INDEX "envs_org_list" ON "envs" USING btree ("org_id","created_at" desc,"id");--> statement-breakpoint
CREATE INDEX "hosts_list" ON "hosts" USING btree ("hostname","id");