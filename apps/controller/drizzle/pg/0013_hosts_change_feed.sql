-- The candidate index's change feed (src/services/placement/candidate-index.ts): every
-- controller keeps the hosts placement chooses from in memory, and drops them when a host may
-- have changed. A write to hosts or host_images notifies every controller on commit (NOTIFY is
-- transactional; one per transaction). A reservation only raises reserved_*, which a stale index
-- survives (the conditional write refuses and the host is read again), so it does not notify:
-- placements stay free of traffic; a release (reserved_* lower) does.
CREATE OR REPLACE FUNCTION apiary_hosts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('apiary_events', '{"hosts_changed":true}');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER hosts_change_feed_rows AFTER INSERT OR DELETE ON hosts
  FOR EACH STATEMENT EXECUTE FUNCTION apiary_hosts_changed();
--> statement-breakpoint
CREATE TRIGGER hosts_change_feed_update AFTER UPDATE ON hosts
  FOR EACH ROW
  WHEN (
    NEW.reserved_cpu < OLD.reserved_cpu OR NEW.reserved_mem < OLD.reserved_mem
    OR NEW.reserved_disk < OLD.reserved_disk
    OR (to_jsonb(OLD) - 'reserved_cpu' - 'reserved_mem' - 'reserved_disk')
      IS DISTINCT FROM (to_jsonb(NEW) - 'reserved_cpu' - 'reserved_mem' - 'reserved_disk')
  )
  EXECUTE FUNCTION apiary_hosts_changed();
--> statement-breakpoint
CREATE TRIGGER host_images_change_feed AFTER INSERT OR UPDATE OR DELETE ON host_images
  FOR EACH STATEMENT EXECUTE FUNCTION apiary_hosts_changed();
