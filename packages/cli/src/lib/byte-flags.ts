import { parseSizeMiB } from '@apiary/protocol';
import { UsageError } from './errors.js';

/*
 * Byte sizes on the host storage commands (`--size 20G`, `--quota none`): typed as the VM
 * commands take them (a bare number is MiB), sent in the exact bytes the API counts in.
 */

const MIB = 1024 * 1024;

/** `--size 20G` -> bytes; a usage mistake (exit 2) when it is no size. */
export function bytesFlag(flag: string, text: string): number {
  try {
    return parseSizeMiB(text) * MIB;
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
}

/** `--quota 10G` or `--quota none` (no limit: null). */
export function optionalBytesFlag(
  flag: string,
  text: string | undefined,
): number | null | undefined {
  if (text === undefined) return undefined;
  return text === 'none' ? null : bytesFlag(flag, text);
}

/** `--ipv4 on|off` -> a boolean; anything else is a usage mistake. */
export function onOffFlag(flag: string, text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (text === 'on' || text === 'off') return text === 'on';
  throw new UsageError(`${flag} is on or off`);
}
