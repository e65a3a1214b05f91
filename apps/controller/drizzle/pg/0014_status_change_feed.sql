-- The status figures' change feed (src/services/status-cache.ts): every controller keeps the
-- aggregates of GET /v1/status in memory and drops them when what they count may have changed.
-- A statement that writes hosts, VMs, environments or images notifies every controller on
-- commit. NOTIFY is transactional and collapses identical payloads within a transaction, so a
-- placement (reservation, environment and VM rows) sends one notification however many
-- statements it runs.
CREATE OR REPLACE FUNCTION apiary_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('apiary_events', '{"status_changed":true}');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER hosts_status_feed AFTER INSERT OR UPDATE OR DELETE ON hosts
  FOR EACH STATEMENT EXECUTE FUNCTION apiary_status_changed();
--> statement-breakpoint
CREATE TRIGGER vms_status_feed AFTER INSERT OR UPDATE OR DELETE ON vms
  FOR EACH STATEMENT EXECUTE FUNCTION apiary_status_changed();
--> statement-breakpoint
CREATE TRIGGER envs_status_feed AFTER INSERT OR UPDATE OR DELETE ON envs
  FOR EACH STATEMENT EXECUTE FUNCTION apiary_status_changed();
--> statement-breakpoint
CREATE TRIGGER images_status_feed AFTER INSERT OR UPDATE OR DELETE ON images
  FOR EACH STATEMENT EXECUTE FUNCTION apiary_status_changed();
