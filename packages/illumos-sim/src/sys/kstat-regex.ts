/**
 * kstat(8) selectors written as `/regex/` are POSIX extended REs, compiled with
 * regcomp(REG_EXTENDED | REG_NOSUB) and matched unanchored. This checks the ERE the way
 * illumos libc's regcomp (the FreeBSD implementation) rejects it, with regerror()'s texts,
 * and translates it to a JavaScript RegExp.
 */
export class RegexError extends Error {}

const MESSAGES = {
  ECTYPE: 'invalid character class',
  EESCAPE: 'trailing backslash (\\)',
  EBRACK: 'brackets ([ ]) not balanced',
  EPAREN: 'parentheses not balanced',
  EBRACE: 'braces not balanced',
  BADBR: 'invalid repetition count(s)',
  ERANGE: 'invalid character range',
  BADRPT: 'repetition-operator operand invalid',
  EMPTY: 'empty (sub)expression',
} as const;

function fail(code: keyof typeof MESSAGES): never {
  throw new RegexError(MESSAGES[code]);
}

const CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: '0-9a-zA-Z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
};

function escapeJs(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/** Parses `[...]` starting at `i` (the `[`); returns the JS class and the index after `]`. */
function bracket(src: string, start: number): [string, number] {
  let i = start + 1;
  let out = '[';
  if (src[i] === '^') {
    out += '^';
    i++;
  }
  let first = true;
  let prev: string | undefined;
  while (i < src.length && (first || src[i] !== ']')) {
    first = false;
    if (src[i] === '[' && src[i + 1] === ':') {
      const end = src.indexOf(':]', i + 2);
      if (end < 0) fail('EBRACK');
      const cls = CLASSES[src.slice(i + 2, end)];
      if (cls === undefined) fail('ECTYPE');
      out += cls;
      i = end + 2;
      prev = undefined;
      continue;
    }
    const c = src[i]!;
    if (c === '-' && prev !== undefined && i + 1 < src.length && src[i + 1] !== ']') {
      const hi = src[i + 1]!;
      if (hi < prev) fail('ERANGE');
      out += `-${escapeJs(hi)}`;
      i += 2;
      prev = undefined;
      continue;
    }
    out += escapeJs(c);
    prev = c;
    i++;
  }
  if (i >= src.length) fail('EBRACK');
  return [`${out}]`, i + 1];
}

/** Parses `{m[,[n]]}` at `i`; returns the JS quantifier and the index after `}`. */
function braces(src: string, i: number): [string, number] {
  const end = src.indexOf('}', i);
  if (end < 0) fail('EBRACE');
  const m = /^(\d+)(,(\d*))?$/.exec(src.slice(i + 1, end));
  if (!m) fail('BADBR');
  if (m[3] && Number(m[3]) < Number(m[1])) fail('BADBR');
  return [src.slice(i, end + 1), end + 1];
}

export function ereToRegExp(src: string): RegExp {
  let out = '';
  let depth = 0;
  // what the last token was: nothing yet (start of a branch), an atom, or a repetition
  let last: 'start' | 'atom' | 'repeat' = 'start';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      if (i + 1 >= src.length) fail('EESCAPE');
      const n = src[i + 1]!;
      out += /\d/.test(n) ? `\\${n}` : escapeJs(n);
      i += 2;
      last = 'atom';
    } else if (c === '[') {
      const [cls, next] = bracket(src, i);
      out += cls;
      i = next;
      last = 'atom';
    } else if (c === '(') {
      if (src[i + 1] === ')') fail('EMPTY');
      out += '(';
      depth++;
      i++;
      last = 'start';
    } else if (c === ')') {
      if (depth === 0) fail('EPAREN');
      if (last === 'start') fail('EMPTY');
      out += ')';
      depth--;
      i++;
      last = 'atom';
    } else if (c === '|') {
      if (last === 'start') fail('EMPTY');
      out += '|';
      i++;
      last = 'start';
    } else if (c === '*' || c === '+' || c === '?') {
      if (last !== 'atom') fail('BADRPT');
      out += c;
      i++;
      last = 'repeat';
    } else if (c === '{') {
      if (last !== 'atom') fail('BADRPT');
      const [q, next] = braces(src, i);
      out += q;
      i = next;
      last = 'repeat';
    } else {
      out += c === '.' || c === '^' || c === '$' ? c : escapeJs(c);
      i++;
      last = c === '^' ? 'start' : 'atom';
    }
  }
  if (depth > 0) fail('EPAREN');
  if (last === 'start' && src.length > 0 && src.endsWith('|')) fail('EMPTY');
  if (src.length === 0) fail('EMPTY');
  return new RegExp(out, 's');
}
