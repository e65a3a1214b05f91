-- The candidate index's change feed, now naming the hosts (src/services/placement/candidate-index.ts,
-- replaces the triggers of 0013_hosts_change_feed). Each controller re-reads only the hosts
-- another controller's commit changed, and nothing for a write of columns placement does not
-- read (credentials, last heartbeat, used_*, inventory generation): a live fleet writes its hosts
-- all the time, and a full re-read of 10,000 hosts per write would make every placement pay it.
--
-- Statement triggers with transition tables collect the ids of one statement into one
-- notification, {"hosts_changed":["host_…",…]}, sent on commit (NOTIFY is transactional). A
-- statement whose ids do not fit a notification (NOTIFY takes under 8000 bytes) sends
-- {"hosts_changed":true}: every host is read again. A reservation only raises reserved_*, which
-- a stale index survives (the conditional write refuses and the host is read again), so it names
-- no host and sends nothing; a release (reserved_* lower) does.
--
-- The columns compared are those placement reads (placementColumns in host-writes.ts).
DROP TRIGGER IF EXISTS hosts_change_feed_rows ON hosts;
--> statement-breakpoint
DROP TRIGGER IF EXISTS hosts_change_feed_update ON hosts;
--> statement-breakpoint
DROP TRIGGER IF EXISTS host_images_change_feed ON host_images;
--> statement-breakpoint
DROP FUNCTION IF EXISTS apiary_hosts_changed();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION apiary_notify_hosts(ids text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  payload text;
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  payload := '{"hosts_changed":' || array_to_json(ids)::text || '}';
  IF octet_length(payload) >= 8000 THEN
    payload := '{"hosts_changed":true}';
  END IF;
  PERFORM pg_notify('apiary_events', payload);
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION apiary_hosts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM apiary_notify_hosts(ARRAY(SELECT id FROM new_rows));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION apiary_hosts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM apiary_notify_hosts(ARRAY(SELECT id FROM old_rows));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION apiary_hosts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM apiary_notify_hosts(ARRAY(
    SELECT coalesce(n.id, o.id)
    FROM new_rows n FULL JOIN old_rows o ON o.id = n.id
    WHERE n.id IS NULL OR o.id IS NULL
      OR n.reserved_cpu < o.reserved_cpu OR n.reserved_mem < o.reserved_mem
      OR n.reserved_disk < o.reserved_disk
      OR (n.hostname, n.liveness, n.policy, n.org_id, n.engines, n.networks,
          n.tls_presented_fingerprint, n.total_cpu, n.total_mem, n.total_disk,
          n.foreign_cpu, n.foreign_mem, n.foreign_disk, n.usage)
        IS DISTINCT FROM
         (o.hostname, o.liveness, o.policy, o.org_id, o.engines, o.networks,
          o.tls_presented_fingerprint, o.total_cpu, o.total_mem, o.total_disk,
          o.foreign_cpu, o.foreign_mem, o.foreign_disk, o.usage)
  ));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION apiary_host_images_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM apiary_notify_hosts(ARRAY(SELECT DISTINCT host_id FROM new_rows));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION apiary_host_images_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM apiary_notify_hosts(ARRAY(SELECT DISTINCT host_id FROM old_rows));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION apiary_host_images_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM apiary_notify_hosts(ARRAY(
    SELECT host_id FROM old_rows UNION SELECT host_id FROM new_rows
  ));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER hosts_change_ids_insert AFTER INSERT ON hosts
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION apiary_hosts_inserted();
--> statement-breakpoint
CREATE TRIGGER hosts_change_ids_delete AFTER DELETE ON hosts
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION apiary_hosts_deleted();
--> statement-breakpoint
CREATE TRIGGER hosts_change_ids_update AFTER UPDATE ON hosts
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION apiary_hosts_updated();
--> statement-breakpoint
CREATE TRIGGER host_images_change_ids_insert AFTER INSERT ON host_images
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION apiary_host_images_inserted();
--> statement-breakpoint
CREATE TRIGGER host_images_change_ids_delete AFTER DELETE ON host_images
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION apiary_host_images_deleted();
--> statement-breakpoint
CREATE TRIGGER host_images_change_ids_update AFTER UPDATE ON host_images
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION apiary_host_images_updated();
