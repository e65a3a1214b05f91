import type { KstatPattern, Selector } from './kstat-select.js';
import { formatValue, type KstatInstance, type KValue, strcasecmp } from './kstat-types.js';

/**
 * ks_instances_read() and ks_instances_print() of usr/src/cmd/stat/kstat/kstat.c: which
 * kstats a set of selectors shows and in which format (`-p`, `-l`, `-C`, `-j` or the default
 * block layout). Every selector walks all kstats in turn, so overlapping selectors print a
 * statistic twice, as the real command does.
 */
export interface PrintOptions {
  parsable: boolean;
  namesOnly: boolean;
  colon: boolean;
  json: boolean;
  quiet: boolean;
  klass: KstatPattern;
}

type Pair = [string, KValue];

/** The statistics kstat shows for an instance: its data plus crtime, snaptime (and class). */
function nvlist(ks: KstatInstance, parsable: boolean): Pair[] {
  const pairs: Pair[] = [
    ...ks.stats,
    ['crtime', { t: 'hrtime', v: ks.crtime }],
    ['snaptime', { t: 'hrtime', v: ks.snaptime }],
  ];
  if (parsable) pairs.push(['class', { t: 'str', v: ks.class }]);
  return pairs.sort((a, b) => strcasecmp(a[0], b[0]));
}

/** The instances kept when reading the chain: module or name matches some selector. */
export function readInstances(chain: KstatInstance[], selectors: Selector[]): KstatInstance[] {
  return chain.filter((ks) =>
    selectors.some((s) => s.module.matches(ks.module) || s.name.matches(ks.name)),
  );
}

const pad = (s: string, n: number) => s.padEnd(n);

/** Prints one round; returns whether any statistic matched. */
export function printInstances(
  kept: KstatInstance[],
  selectors: Selector[],
  opts: PrintOptions,
  out: (text: string) => void,
): boolean {
  let matched = false;
  if (opts.json) out('[');
  for (const sel of selectors) {
    kept.forEach((ks, index) => {
      if (
        !(
          sel.module.matches(ks.module) &&
          sel.name.matches(ks.name) &&
          sel.instance.matches(`${ks.instance}`) &&
          opts.klass.matches(ks.class)
        )
      )
        return;
      let header = true;
      const pairs = nvlist(ks, opts.parsable);
      pairs.forEach(([name, value], k) => {
        if (!sel.statistic.matches(name)) return;
        matched = true;
        if (opts.quiet) return;
        if (opts.json) printJson(ks, name, value, header, k === pairs.length - 1, out);
        else printLine(ks, name, value, header, opts, out);
        header = false;
      });
      if (!header) {
        if (opts.json) out(`\t}\n}${index !== kept.length - 1 ? ',' : ''}`);
        else if (!opts.parsable) out('\n');
      }
    });
  }
  if (opts.json) out(']\n');
  return matched;
}

function printLine(
  ks: KstatInstance,
  name: string,
  value: KValue,
  header: boolean,
  opts: PrintOptions,
  out: (text: string) => void,
): void {
  if (opts.parsable) {
    const key = `${ks.module}:${ks.instance}:${ks.name}:${name}`;
    out(opts.namesOnly ? `${key}\n` : `${key}${opts.colon ? ':' : '\t'}${formatValue(value)}\n`);
    return;
  }
  if (header) {
    out(
      `module: ${pad(ks.module.slice(0, 30), 30)}  instance: ${pad(`${ks.instance}`, 6)}\n` +
        `name:   ${pad(ks.name.slice(0, 30), 30)}  class:    ${ks.class.slice(0, 30)}\n`,
    );
  }
  out(`\t${pad(name, 30)}  ${formatValue(value)}\n`);
}

function printJson(
  ks: KstatInstance,
  name: string,
  value: KValue,
  header: boolean,
  last: boolean,
  out: (text: string) => void,
): void {
  if (header) {
    const snap = ks.snaptime === 0n ? '0' : (Number(ks.snaptime) / 1e9).toFixed(9);
    out(
      `{\n\t"module": "${ks.module}",\n\t"instance": ${ks.instance},\n\t"name": "${ks.name}",\n` +
        `\t"class": "${ks.class}",\n\t"type": ${ks.type},\n\t"snaptime": ${snap},\n\t"data": {\n`,
    );
  }
  const text = formatValue(value);
  out(`\t\t"${name}": ${value.t === 'str' ? `"${text}"` : text}${last ? '' : ','}\n`);
}
