import type { IpfInstance } from '../core/state-types.js';
import { parseIpfRule } from './ipf-rules.js';
import { parseNatRule } from './ipnat-rules.js';

/**
 * Loading rule text into a packet filter instance, line by line as ipf/ipnat commit rules:
 * a syntax error stops the load (exit 1) with the earlier lines already in; a duplicate add
 * says `File exists` and goes on (exit 0); ipnat's failed removal says `No such process`,
 * ipf's is silent (an illumos ipf_y.y bug the reference documents).
 */
export interface LoadResult {
  stderr: string;
  exitCode: number;
}

function lines(text: string): Array<[number, string]> {
  return text
    .split('\n')
    .map((l, i): [number, string] => [i + 1, l.replace(/#.*$/, '').trim()])
    .filter(([, l]) => l !== '');
}

export function loadIpfText(
  inst: IpfInstance,
  text: string,
  remove: boolean,
  enabled: boolean,
): LoadResult {
  let stderr = '';
  for (const [n, raw] of lines(text)) {
    let line = raw;
    let insertAt: number | undefined;
    const at = /^@(\d+)\s+(.*)$/.exec(line);
    if (at) {
      insertAt = Number(at[1]);
      line = at[2]!;
    }
    const parsed = parseIpfRule(line);
    if ('errorToken' in parsed) {
      stderr += `syntax error error at "${parsed.errorToken}", line ${n}\n`;
      return { stderr, exitCode: 1 };
    }
    if (!enabled) {
      stderr += `${n}:ioctl(${remove ? 'delete rule' : 'add/insert rule'}): I/O error\n`;
      continue;
    }
    const list = parsed.direction === 'in' ? inst.rulesIn : inst.rulesOut;
    const existing = list.indexOf(parsed.rule);
    if (remove) {
      if (existing >= 0) list.splice(existing, 1);
      continue;
    }
    if (existing >= 0) {
      stderr += `${n}:ioctl(add/insert rule): File exists\n`;
      continue;
    }
    if (insertAt !== undefined) list.splice(Math.max(0, insertAt - 1), 0, parsed.rule);
    else list.push(parsed.rule);
  }
  return { stderr, exitCode: 0 };
}

export function loadNatText(inst: IpfInstance, text: string, remove: boolean): LoadResult {
  let stderr = '';
  for (const [n, line] of lines(text)) {
    const parsed = parseNatRule(line);
    if ('errorToken' in parsed) {
      stderr += `syntax error error at "${parsed.errorToken}", line ${n}\n`;
      return { stderr, exitCode: 1 };
    }
    const existing = inst.nat.indexOf(parsed.rule);
    if (remove) {
      if (existing >= 0) inst.nat.splice(existing, 1);
      else stderr += `${n}:ioctl(delete nat rule): No such process\n`;
      continue;
    }
    if (existing >= 0) {
      stderr += `${n}:ioctl(add/insert nat rule): File exists\n`;
      continue;
    }
    inst.nat.push(parsed.rule);
  }
  return { stderr, exitCode: 0 };
}

export function emptyInstance(enabled: boolean): IpfInstance {
  return { enabled, rulesIn: [], rulesOut: [], nat: [] };
}
