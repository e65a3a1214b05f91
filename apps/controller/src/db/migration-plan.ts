import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** What one run of the migrations did: the migrations it applied (journal tags), in order. */
export interface MigrationReport {
  applied: string[];
  /** The newest migration the schema is at after the run (null: the journal is empty). */
  current: string | null;
}

const Journal = z.object({
  entries: z.array(z.object({ tag: z.string().min(1), when: z.number().int() })),
});

export interface JournalEntry {
  tag: string;
  /** drizzle-kit's `when`: the ms it was generated, stored as `created_at` once applied. */
  when: number;
}

/** The committed migrations of a folder, oldest first (`meta/_journal.json`, drizzle-kit's). */
export function readJournal(migrationsFolder: string): JournalEntry[] {
  const raw = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8'));
  return Journal.parse(raw).entries.map(({ tag, when }) => ({ tag, when }));
}

/**
 * drizzle's rule, kept exactly so a database migrated by either path agrees: every migration
 * newer than the newest one recorded is pending (none recorded: all of them).
 */
export function pendingMigrations(
  journal: JournalEntry[],
  lastAppliedWhen: number | null,
): JournalEntry[] {
  return journal.filter((m) => lastAppliedWhen === null || lastAppliedWhen < m.when);
}

export function reportOf(journal: JournalEntry[], applied: JournalEntry[]): MigrationReport {
  return { applied: applied.map((m) => m.tag), current: journal.at(-1)?.tag ?? null };
}
