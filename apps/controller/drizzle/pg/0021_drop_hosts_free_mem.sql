-- Placement chooses from the candidate index in memory (candidate-index.ts), and a migration's
-- target too: nothing walks the hosts by free memory in the database any more. Every
-- reservation paid for this index: on SQLite ~30 of the ~50 µs of a host's conditional
-- reservation (scripts/bench, 2026-12-07), on PostgreSQL it kept a reservation from being a
-- HOT update (the indexed expression changes with reserved_mem).
DROP INDEX "hosts_free_mem";
