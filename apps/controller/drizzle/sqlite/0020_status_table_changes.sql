-- Which counted tables changed, for GET /v1/status's kept figures (src/services/status-cache.ts),
-- whoever wrote them: the controller sees its own writes as it sends them, but not another
-- process's (a second connection to the file: tools, a bench's writer). Each write of hosts, VMs,
-- environments or images moves its table's number; the controller reads the four numbers at
-- each status request and reads again the parts of the figures whose tables moved. SQLite only:
-- on PostgreSQL the change feed (status_change_feed) tells every controller.
CREATE TABLE `status_table_changes` (`tbl` text PRIMARY KEY NOT NULL, `n` integer NOT NULL);
--> statement-breakpoint
INSERT INTO `status_table_changes` (`tbl`, `n`) VALUES ('hosts', 0), ('vms', 0), ('envs', 0), ('images', 0);
--> statement-breakpoint
CREATE TRIGGER `hosts_status_insert` AFTER INSERT ON `hosts` BEGIN UPDATE `status_table_changes` SET `n` = `n` + 1 WHERE `tbl` = 'hosts'; END;
--> statement-breakpoint
CREATE TRIGGER `hosts_status_update` AFTER UPDATE ON `hosts` BEGIN UPDATE `status_table_changes` SET `n` = `n` + 1 WHERE `tbl` = 'hosts'; END;
--> statement-breakpoint
CREATE TRIGGER `hosts_status_delete` AFTER DELETE ON `hosts` BEGIN UPDATE `status_table_changes` SET `n` = `n` + 1 WHERE `tbl` = 'hosts'; END;
--> statement-breakpoint
CREATE TRIGGER `vms_status_insert` AFTER INSERT ON `vms` BEGIN UPDATE `status_table_changes` SET `n` = `n` + 1 WHERE `tbl` = 'vms'; END;
--> statement-breakpoint
CREATE TRIGGER `vms_status_update` AFTER UPDATE ON `vms` BEGIN UPDATE `status_table_changes` SET `n` = `n` + 1 WHERE `tbl` = 'vms'; END;
--> statement-breakpoint
CREATE TRIGGER `vms_status_delete` AFTER DELETE ON `vms` BEGIN UPDATE `status_table_changes` SET `n` = `n` + 1 WHERE `tbl` = 'vms'; END;
--> statement-breakpoint
CREATE TRIGGER `envs_status_insert` AFTER INSERT ON `envs` BEGIN UPDATE `status_table_changes` SET `n` = `n` + 1 WHERE `tbl` = 'envs'; END;
--> statement-breakpoint
CREATE TRIGGER `envs_status_update` AFTER UPDATE ON `envs` BEGIN UPDATE `status_table_changes` SET `n` = `n` + 1 WHERE `tbl` = 'envs'; END;
--> statement-breakpoint
CREATE TRIGGER `envs_status_delete` AFTER DELETE ON `envs` BEGIN UPDATE `status_table_changes` SET `n` = `n` + 1 WHERE `tbl` = 'envs'; END;
--> statement-breakpoint
CREATE TRIGGER `images_status_insert` AFTER INSERT ON `images` BEGIN UPDATE `status_table_changes` SET `n` = `n` + 1 WHERE `tbl` = 'images'; END;
--> statement-breakpoint
CREATE TRIGGER `images_status_update` AFTER UPDATE ON `images` BEGIN UPDATE `status_table_changes` SET `n` = `n` + 1 WHERE `tbl` = 'images'; END;
--> statement-breakpoint
CREATE TRIGGER `images_status_delete` AFTER DELETE ON `images` BEGIN UPDATE `status_table_changes` SET `n` = `n` + 1 WHERE `tbl` = 'images'; END;
