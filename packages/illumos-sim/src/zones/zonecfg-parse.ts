import { GetoptError, getopt } from '../core/getopt.js';
import type { ZoneResource } from '../core/state-types.js';
import { GLOBAL_ORDER, RESOURCE_PROPS } from './zonecfg-format.js';
import type { Token } from './zonecfg-lexer.js';
import { parseValue } from './zonecfg-lexer.js';
import { SHELP, type ZonecfgSession } from './zonecfg-session.js';

/** Token-level helpers shared by the zonecfg subcommands. */
export const ALL_PROPS = new Set([
  ...GLOBAL_ORDER,
  ...Object.values(RESOURCE_PROPS).flat(),
  'options',
  'property',
  'value',
]);

export function words(tokens: Token[]): string[] {
  return tokens.map((t) => t.text);
}

export function syntaxError(s: ZonecfgSession, at: Token | undefined): undefined {
  s.error(at ? `syntax error at '${at.text}'` : 'syntax error at end of line');
}

/** `prop=value` pairs after a resource type (select/remove/info filters). */
export function parsePairs(
  s: ZonecfgSession,
  tokens: Token[],
): Array<[string, string]> | undefined {
  const pairs: Array<[string, string]> = [];
  let k = 0;
  while (k < tokens.length) {
    const name = tokens[k];
    if (name?.kind !== 'word' || tokens[k + 1]?.kind !== '=') {
      syntaxError(s, name);
      return undefined;
    }
    const v = parseValue(tokens, k + 2);
    if (v?.value.kind !== 'simple') {
      s.error('A simple value was expected here.');
      return undefined;
    }
    pairs.push([name.text, v.value.value]);
    k = v.next;
  }
  return pairs;
}

export function matches(r: ZoneResource, pairs: Array<[string, string]>): boolean {
  return pairs.every(([k, v]) => r.props[k] === v);
}

export function optsOf(s: ZonecfgSession, name: string, args: Token[], spec: string) {
  try {
    const opts = getopt(words(args), spec);
    if (opts.operands.length > 0) {
      s.shortUsage(SHELP[name]!);
      return undefined;
    }
    return opts;
  } catch (error) {
    if (error instanceof GetoptError) {
      s.shortUsage(SHELP[name]!);
      return undefined;
    }
    throw error;
  }
}
