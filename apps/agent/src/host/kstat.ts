import type { HostExec } from './exec.js';

/*
 * kstat(8) in parsable form (`kstat -p SELECTOR...`): one `module:instance:name:statistic<TAB>
 * value` line per statistic, `crtime` and `snaptime` (seconds since boot, %.9f) and `class`
 * among them (usr/src/cmd/stat/kstat/kstat.c, ks_instances_print). Values stay text: counters
 * are 64-bit and pass 2^53, so readers turn them into bigints.
 */

/** One kstat as read: its statistics by name, values as printed. */
export interface KstatRecord {
  module: string;
  instance: number;
  name: string;
  stats: Map<string, string>;
}

/** Records by `module:instance:name`. */
export type KstatSet = Map<string, KstatRecord>;

/** A selector `module:instance:name:statistic` (fields may be globs or `/ERE/`). */
const SELECTOR = /^[^:\s]*(?::[^:\s]*){0,3}$/;

/** argv for one read of several selectors. Selectors are the agent's constants, checked anyway. */
export function kstatArgs(selectors: readonly string[]): string[] {
  for (const s of selectors) {
    if (!SELECTOR.test(s)) throw new TypeError(`kstat selector ${JSON.stringify(s)}`);
  }
  return ['-p', ...selectors];
}

/**
 * Parse `kstat -p` output. The module is up to the first colon, the instance the next field,
 * the statistic after the last colon, and the name in between: a pool or link name may hold a
 * colon (`zfs:0:tank:a:nread`), a statistic name never does.
 */
export function parseKstatParsable(stdout: string): KstatSet {
  const out: KstatSet = new Map();
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const key = line.slice(0, tab);
    const value = line.slice(tab + 1);
    const first = key.indexOf(':');
    const second = key.indexOf(':', first + 1);
    const last = key.lastIndexOf(':');
    if (first < 0 || second < 0 || last <= second) continue;
    const instance = Number(key.slice(first + 1, second));
    if (!Number.isInteger(instance)) continue;
    const id = key.slice(0, last);
    let record = out.get(id);
    if (!record) {
      record = {
        module: key.slice(0, first),
        instance,
        name: key.slice(second + 1, last),
        stats: new Map(),
      };
      out.set(id, record);
    }
    record.stats.set(key.slice(last + 1), value);
  }
  return out;
}

/** An unsigned counter as printed (`%llu` / `%u`); null when absent or not a number. */
export function counterValue(record: KstatRecord | undefined, stat: string): bigint | null {
  const text = record?.stats.get(stat);
  return text !== undefined && /^\d+$/.test(text) ? BigInt(text) : null;
}

/** An hrtime printed as seconds with nine decimals (`crtime`, `snaptime`) -> nanoseconds. */
export function hrtimeValue(record: KstatRecord | undefined, stat: string): bigint | null {
  const text = record?.stats.get(stat);
  if (text === undefined) return null;
  if (text === '0') return 0n;
  const m = /^(\d+)\.(\d{1,9})$/.exec(text);
  if (!m) return null;
  return BigInt(m[1] as string) * 1_000_000_000n + BigInt((m[2] as string).padEnd(9, '0'));
}

/** Read several selectors with one `kstat -p` call. */
export async function readKstats(exec: HostExec, selectors: readonly string[]): Promise<KstatSet> {
  const { stdout } = await exec.run('kstat', kstatArgs(selectors), { quiet: true });
  return parseKstatParsable(stdout);
}
