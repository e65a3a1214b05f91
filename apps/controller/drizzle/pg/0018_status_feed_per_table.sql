-- The status figures' change feed names the table a statement wrote (src/services/status-cache.ts):
-- each controller keeps GET /v1/status's figures in parts and drops only those counting that
-- table, so a stream of VM state writes no longer recounts the hosts. One notification per table
-- per transaction (NOTIFY collapses identical payloads).
CREATE OR REPLACE FUNCTION apiary_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('apiary_events', '{"status_changed":"' || TG_TABLE_NAME || '"}');
  RETURN NULL;
END
$$;
