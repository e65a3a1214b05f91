-- Placement chooses from the candidate index in memory (candidate-index.ts), and a migration's
-- target too: nothing walks the hosts by free memory in the database any more. Every
-- reservation paid for this index (its expression changes with reserved_mem): on SQLite a host's
-- conditional reservation took 36.6 µs with it and 16.5 without on random hosts, 17.4 and 13.5
-- on neighbouring ones (scripts/bench/host-reservation-index.mjs, 2026-12-07); on PostgreSQL it
-- kept reservations from being HOT updates.
DROP INDEX "hosts_free_mem";
