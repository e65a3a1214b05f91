/**
 * fnmatch(3) without flags, as zonecfg `device match` and the fault patterns use it: `*`, `?`,
 * `[...]` (with `!` negation and ranges) and `\` escapes. `*` also crosses `/`, like fnmatch
 * without FNM_PATHNAME.
 */
export function fnmatch(pattern: string, text: string): boolean {
  return globToRegExp(pattern).test(text);
}

const cache = new Map<string, RegExp>();

export function globToRegExp(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '\\' && i + 1 < pattern.length) re += escapeChar(pattern[++i]!);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else re += escapeChar(c);
  }
  const compiled = new RegExp(`${re}$`, 's');
  cache.set(pattern, compiled);
  return compiled;
}

function escapeChar(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
