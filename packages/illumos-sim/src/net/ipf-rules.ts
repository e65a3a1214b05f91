import { normalizeCidr, portNumber, serviceName } from './addresses.js';

/**
 * ipf(5) filter rules, normalized the way `ipfstat -R` prints them back: `proto` kept, bare
 * hosts as /32, `port N` as `port = N`, `flags S` as `flags S/FSRPAU`, numeric ports. Rules are
 * stored in this canonical form; `renderRule` swaps in service names for `ipfstat` without -R.
 */
export type IpfParse = { rule: string; direction: 'in' | 'out' } | { errorToken: string };

const ACTIONS = new Set(['pass', 'block', 'log', 'count', 'auth', 'preauth', 'call']);
const PORT_OPS = new Set(['=', '!=', '<', '>', '<=', '>=', 'eq', 'ne', 'lt', 'gt', 'le', 'ge']);
const OP_WORDS: Record<string, string> = {
  eq: '=',
  ne: '!=',
  lt: '<',
  gt: '>',
  le: '<=',
  ge: '>=',
};

export function parseIpfRule(line: string): IpfParse {
  const t = line
    .trim()
    .replace(/([()])/g, ' $1 ')
    .split(/\s+/)
    .filter(Boolean);
  let i = 0;
  const out: string[] = [];
  const bad = (tok?: string): IpfParse => ({ errorToken: tok ?? '\n' });
  const action = t[i++];
  if (!action || !ACTIONS.has(action)) return bad(action);
  out.push(action);
  if (action === 'block' && t[i]?.startsWith('return-')) out.push(t[i++]!);
  const dir = t[i++];
  if (dir !== 'in' && dir !== 'out') return bad(dir);
  out.push(dir);
  if (t[i] === 'log') {
    out.push(t[i++]!);
    while (['body', 'first', 'or-block'].includes(t[i] ?? '')) out.push(t[i++]!);
    if (t[i] === 'level') out.push(t[i++]!, t[i++] ?? '');
  }
  if (t[i] === 'quick') out.push(t[i++]!);
  if (t[i] === 'on') {
    i++;
    const ifname = t[i++];
    if (!ifname || !/^[A-Za-z][A-Za-z0-9_.]*$/.test(ifname)) return bad(ifname);
    out.push('on', ifname);
  }
  if (t[i] === 'family') i += 2;
  if (t[i] === 'proto') {
    i++;
    const p = t[i++];
    if (!p || !/^[a-z0-9/-]+$/.test(p)) return bad(p);
    out.push('proto', p);
  }
  if (t[i] === 'all') {
    i++;
    out.push('all');
  } else if (t[i] === 'from') {
    i++;
    const src = address(t, i);
    if ('errorToken' in src) return src;
    i = src.next;
    out.push('from', ...src.words);
    if (t[i++] !== 'to') return bad(t[i - 1]);
    const dst = address(t, i);
    if ('errorToken' in dst) return dst;
    i = dst.next;
    out.push('to', ...dst.words);
  } else if (i < t.length) return bad(t[i]);
  while (i < t.length) {
    const word = t[i++]!;
    if (word === 'flags') {
      const f = t[i++];
      if (!f || !/^[FSRPAUEC]+(\/[FSRPAUEC]+)?$/.test(f)) return bad(f);
      out.push('flags', f.includes('/') ? f : `${f}/FSRPAU`);
    } else if (word === 'icmp-type') {
      const ty = t[i++];
      if (!ty) return bad(ty);
      out.push('icmp-type', ty);
      if (t[i] === 'code') out.push(t[i++]!, t[i++] ?? '');
    } else if (word === 'keep') {
      const what = t[i++];
      if (what !== 'state' && what !== 'frags') return bad(what);
      out.push('keep', what);
      if (t[i] === '(') {
        const end = t.indexOf(')', i);
        if (end < 0) return bad(t[i]);
        out.push(
          t
            .slice(i, end + 1)
            .join(' ')
            .replace('( ', '(')
            .replace(' )', ')'),
        );
        i = end + 1;
      }
    } else if (word === 'head' || word === 'group') {
      const g = t[i++];
      if (!g || g.length > 16) return bad(g);
      out.push(word, g);
    } else return bad(word);
  }
  return { rule: out.join(' '), direction: dir };
}

function address(
  t: string[],
  at: number,
): { words: string[]; next: number } | { errorToken: string } {
  let i = at;
  const words: string[] = [];
  let a = t[i++];
  if (a === undefined) return { errorToken: '\n' };
  let neg = '';
  if (a === '!') {
    neg = '!';
    a = t[i++] ?? '';
  } else if (a.startsWith('!')) {
    neg = '!';
    a = a.slice(1);
  }
  if (a === 'any') words.push(`${neg}any`);
  else {
    const n = normalizeCidr(a);
    if (!n) return { errorToken: a };
    words.push(`${neg}${n}`);
  }
  if (t[i] === 'port') {
    i++;
    let op = t[i] ?? '';
    if (PORT_OPS.has(op)) {
      i++;
      const p = portNumber(t[i] ?? '');
      if (p === undefined) return { errorToken: t[i] ?? '\n' };
      i++;
      op = OP_WORDS[op] ?? op;
      words.push('port', op, `${p}`);
    } else {
      const p1 = portNumber(op);
      if (p1 === undefined) {
        const m = /^(\d+):(\d+)$/.exec(op);
        if (!m) return { errorToken: op || '\n' };
        i++;
        words.push('port', `${m[1]}:${m[2]}`);
        return { words, next: i };
      }
      i++;
      if (t[i] === '<>' || t[i] === '><') {
        const range = t[i]!;
        const p2 = portNumber(t[i + 1] ?? '');
        if (p2 === undefined) return { errorToken: t[i + 1] ?? '\n' };
        words.push('port', `${p1}`, range, `${p2}`);
        i += 2;
      } else words.push('port', '=', `${p1}`);
    }
  }
  return { words, next: i };
}

/** ipfstat without -R shows ports by service name. */
export function renderRule(rule: string, numeric: boolean): string {
  if (numeric) return rule;
  return rule.replace(
    /port (=|!=|<|>|<=|>=) (\d+)/g,
    (_m, op: string, n: string) => `port ${op} ${serviceName(Number(n))}`,
  );
}
