import Table from 'cli-table3';

/** Prints either JSON (`--json`, for scripts) or a human rendering of the same data. */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {}

  result<T>(data: T, human: (data: T) => string): void {
    this.stdout.write(this.json ? `${JSON.stringify(data, null, 2)}\n` : `${human(data)}\n`);
  }

  /** Progress and notices go to stderr so stdout stays parseable. */
  info(line: string): void {
    if (!this.json) this.stderr.write(`${line}\n`);
  }
}

export function table(head: string[], rows: Array<Array<string | number>>): string {
  if (rows.length === 0) return '(none)';
  const t = new Table({
    head,
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  t.push(...rows.map((r) => r.map(String)));
  return t.toString();
}

/** `key: value` lines for a single object. */
export function details(
  pairs: Array<[string, string | number | boolean | null | undefined]>,
): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs
    .map(([k, v]) => `${k.padEnd(width)}  ${v === null || v === undefined ? '-' : String(v)}`)
    .join('\n');
}
