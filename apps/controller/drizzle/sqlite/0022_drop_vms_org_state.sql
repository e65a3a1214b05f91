-- Status no longer counts the VMs (it reads the counts kept with the VM writes, migration
-- vm_counts); this index was there only for that count, and every VM insert and state change
-- paid for it.
DROP INDEX `vms_org_state`;
