import type { CommandLogEntry } from '@apiary/illumos-sim';

/**
 * Turn logged commands into fault patterns that match the same invocation again: glob
 * characters escaped, and the one argument that changes from run to run (the zonecfg command
 * file, named at random) replaced by `*`.
 */
export function faultPattern(entry: CommandLogEntry): string {
  return entry.argv
    .map((arg) => (arg.includes('/zonecfg-') ? '*' : arg.replace(/[*?[\]\\]/g, '\\$&')))
    .join(' ');
}

/** The distinct commands of a run, in order (each becomes one fault-injection case). */
export function distinctPatterns(entries: CommandLogEntry[]): string[] {
  return [...new Set(entries.map(faultPattern))];
}
