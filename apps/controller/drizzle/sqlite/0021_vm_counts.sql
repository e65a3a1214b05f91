-- VM counts by organization and state, kept by the database with every VM write, for GET
-- /v1/status (src/services/vm-counts.ts): status reads a few rows instead of counting every VM.
-- The same design as on PostgreSQL (drizzle/pg vm_counts), where a counter row updated by
-- every write would serialize placements on its lock: the writes append +1/-1 rows to
-- `vm_count_deltas`; the counts are `vm_counts` plus the deltas' sums; a fold moves the deltas
-- into `vm_counts` in one transaction. Neither table is in the drizzle schema: they are derived
-- from `vms`, and a database copy rebuilds them through the target's triggers.
CREATE TABLE `vm_counts` (
  `org_id` text NOT NULL,
  `state` text NOT NULL,
  `n` integer NOT NULL,
  PRIMARY KEY (`org_id`, `state`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `vm_count_deltas` (`org_id` text NOT NULL, `state` text NOT NULL, `d` integer NOT NULL);
--> statement-breakpoint
CREATE TRIGGER `vms_count_insert` AFTER INSERT ON `vms` BEGIN
  INSERT INTO `vm_count_deltas` (`org_id`, `state`, `d`) VALUES (NEW.`org_id`, NEW.`state`, 1);
END;
--> statement-breakpoint
-- Only writes that move a VM between counts: most VM updates (reports, disks, recipes) do not.
CREATE TRIGGER `vms_count_update` AFTER UPDATE OF `state`, `org_id` ON `vms`
  WHEN OLD.`state` IS NOT NEW.`state` OR OLD.`org_id` IS NOT NEW.`org_id` BEGIN
  INSERT INTO `vm_count_deltas` (`org_id`, `state`, `d`)
    VALUES (OLD.`org_id`, OLD.`state`, -1), (NEW.`org_id`, NEW.`state`, 1);
END;
--> statement-breakpoint
-- Fires for the VMs an environment's deletion cascades to as well.
CREATE TRIGGER `vms_count_delete` AFTER DELETE ON `vms` BEGIN
  INSERT INTO `vm_count_deltas` (`org_id`, `state`, `d`) VALUES (OLD.`org_id`, OLD.`state`, -1);
END;
--> statement-breakpoint
-- The VMs there are now (the migrations run in one write transaction: no write falls between).
INSERT INTO `vm_counts` (`org_id`, `state`, `n`)
  SELECT `org_id`, `state`, count(*) FROM `vms` GROUP BY `org_id`, `state`;
