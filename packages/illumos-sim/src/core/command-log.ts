import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every invocation is appended as one JSON line to `commands.jsonl`. One `write` per line with
 * O_APPEND keeps concurrent writers from interleaving. stdin is never logged: zonecfg files and
 * streams may carry secrets.
 */
export interface CommandLogEntry {
  argv: string[];
  exit_code: number;
  duration_ms: number;
  /** ISO 8601 start time. */
  time: string;
  pid: number;
  /** Set when the result came from an injected fault rather than the model. */
  fault?: boolean;
}

export function logPath(root: string): string {
  return join(root, 'commands.jsonl');
}

export function appendCommandLog(root: string, entry: CommandLogEntry): void {
  try {
    appendFileSync(logPath(root), `${JSON.stringify(entry)}\n`);
  } catch {
    // A host deleted under a running command has nowhere to log to; the result still stands.
  }
}

export function readCommandLog(root: string): CommandLogEntry[] {
  let text: string;
  try {
    text = readFileSync(logPath(root), 'utf8');
  } catch {
    return [];
  }
  const entries: CommandLogEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as CommandLogEntry);
    } catch {
      // a line cut by a crash mid-write is skipped, not fatal
    }
  }
  return entries;
}
