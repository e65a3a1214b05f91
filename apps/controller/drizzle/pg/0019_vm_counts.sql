-- VM counts by organization and state, kept by the database with every VM write, for GET
-- /v1/status (src/services/vm-counts.ts): status reads a few rows instead of counting every VM.
-- A counter row per (organization, state) updated by the writes would make every placement of
-- an organization wait on that row's lock until COMMIT, so the writes only append: each insert,
-- delete, and change of a VM's state or organization adds +1/-1 rows to `vm_count_deltas`
-- (insert-only, no index: no row is shared, nothing waits). The counts are `vm_counts` plus the
-- deltas' sums; a fold moves the deltas into `vm_counts` (one statement: DELETE ... RETURNING
-- into an upsert). Neither table is in the drizzle schema: they are derived from `vms`, and a
-- database copy rebuilds them through these triggers as it inserts the VMs.
CREATE TABLE "vm_counts" (
  "org_id" text NOT NULL,
  "state" text NOT NULL,
  "n" bigint NOT NULL,
  PRIMARY KEY ("org_id", "state")
);
--> statement-breakpoint
CREATE TABLE "vm_count_deltas" (
  "org_id" text NOT NULL,
  "state" text NOT NULL,
  "d" integer NOT NULL
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION apiary_vm_count_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO vm_count_deltas (org_id, state, d) VALUES (OLD.org_id, OLD.state, -1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO vm_count_deltas (org_id, state, d) VALUES (NEW.org_id, NEW.state, 1);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER vms_count_insert AFTER INSERT ON vms
  FOR EACH ROW EXECUTE FUNCTION apiary_vm_count_delta();
--> statement-breakpoint
-- Only writes that move a VM between counts: most VM updates (reports, disks, recipes) do not.
CREATE TRIGGER vms_count_update AFTER UPDATE OF state, org_id ON vms
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.org_id IS DISTINCT FROM NEW.org_id)
  EXECUTE FUNCTION apiary_vm_count_delta();
--> statement-breakpoint
-- Row triggers fire for the VMs an environment's deletion cascades to as well.
CREATE TRIGGER vms_count_delete AFTER DELETE ON vms
  FOR EACH ROW EXECUTE FUNCTION apiary_vm_count_delta();
--> statement-breakpoint
-- The VMs there are now. The migrations run in one transaction and CREATE TRIGGER locked `vms`
-- against writes until it commits, so no write falls between this count and the triggers.
INSERT INTO "vm_counts" ("org_id", "state", "n")
  SELECT "org_id", "state", count(*) FROM "vms" GROUP BY "org_id", "state";
