import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSize } from '../core/sizes.js';
import { clearLoad, LoadError, setLoad } from './load-api.js';
import type { LoadRates } from './load-state.js';

/**
 * `apiary-sim load DIR ZONE [--cpu N] [--mem SIZE] [--net-rx SIZE] [--net-tx SIZE]
 * [--disk-read SIZE] [--disk-write SIZE]` and `apiary-sim load DIR ZONE --clear`. Sizes are
 * per second (zfs-style suffixes, binary: `1M` = 1048576), `--cpu` is CPUs busy (0.5 = half
 * of one CPU), `--mem` the guest memory in use. Options left out are 0.
 */
export class LoadUsageError extends Error {}

type SizeOption = 'mem' | 'net-rx' | 'net-tx' | 'disk-read' | 'disk-write';

const SIZE_OPTIONS: Array<[SizeOption, keyof LoadRates]> = [
  ['mem', 'mem'],
  ['net-rx', 'netRx'],
  ['net-tx', 'netTx'],
  ['disk-read', 'diskRead'],
  ['disk-write', 'diskWrite'],
];

export async function runLoadCommand(args: string[]): Promise<string> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new LoadUsageError(`load: ${(error as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 2) throw new LoadUsageError('load: DIR and ZONE are required');
  const [dir, zone] = [resolve(positionals[0]!), positionals[1]!];
  if (values.clear) {
    if (SIZE_OPTIONS.some(([o]) => values[o] !== undefined) || values.cpu !== undefined)
      throw new LoadUsageError('load: --clear takes no rates');
    await clearLoad(dir, zone);
    return `cleared the load of ${zone}\n`;
  }
  const rates: Partial<LoadRates> = {};
  if (values.cpu !== undefined) {
    if (!/^(\d+(\.\d*)?|\.\d+)$/.test(values.cpu))
      throw new LoadUsageError(`load: --cpu must be a number of CPUs, got '${values.cpu}'`);
    rates.cpu = Number(values.cpu);
  }
  for (const [option, field] of SIZE_OPTIONS) {
    const text = values[option];
    if (text === undefined) continue;
    const bytes = parseSize(text);
    if (bytes === undefined)
      throw new LoadUsageError(`load: --${option} must be a size like 512M, got '${text}'`);
    rates[field] = bytes;
  }
  await setLoad(dir, zone, rates);
  return `set the load of ${zone}\n`;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      cpu: { type: 'string' },
      mem: { type: 'string' },
      'net-rx': { type: 'string' },
      'net-tx': { type: 'string' },
      'disk-read': { type: 'string' },
      'disk-write': { type: 'string' },
      clear: { type: 'boolean' },
    },
  });
}

export { LoadError };
