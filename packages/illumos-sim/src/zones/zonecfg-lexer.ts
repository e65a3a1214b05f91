/**
 * zonecfg's lexer: commands end at `;` or a newline, `#` starts a comment, `=`, `(`, `)`, `[`,
 * `]` and `,` are tokens of their own, and a double-quoted string (no escapes, no newline) is
 * one token. Each command remembers its line for `On line N of FILE:` messages.
 */
export type TokenKind = 'word' | 'string' | '=' | '(' | ')' | '[' | ']' | ',';

export interface Token {
  kind: TokenKind;
  text: string;
}

export interface LexedCommand {
  tokens: Token[];
  line: number;
}

export type LexResult = { commands: LexedCommand[] } | { error: string; line: number };

export function lexZonecfg(input: string): LexResult {
  const commands: LexedCommand[] = [];
  let tokens: Token[] = [];
  let line = 1;
  const flush = () => {
    if (tokens.length > 0) commands.push({ tokens, line });
    tokens = [];
  };
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === '\n') {
      flush();
      line++;
      i++;
      continue;
    }
    if (c === ';') {
      flush();
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < input.length && input[i] !== '\n') i++;
      continue;
    }
    if ('=()[],'.includes(c)) {
      tokens.push({ kind: c as TokenKind, text: c });
      i++;
      continue;
    }
    if (c === '"') {
      const end = input.indexOf('"', i + 1);
      const nl = input.indexOf('\n', i + 1);
      if (end < 0 || (nl >= 0 && nl < end)) return { error: 'unterminated string', line };
      tokens.push({ kind: 'string', text: input.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < input.length && !' \t\r\n;=()[],"#'.includes(input[j]!)) j++;
    tokens.push({ kind: 'word', text: input.slice(i, j) });
    i = j;
  }
  flush();
  return { commands };
}

/** A property value: simple, complex `(k=v,...)` or list `[a,b]` / `[(..),(..)]`. */
export type PropValue =
  | { kind: 'simple'; value: string }
  | { kind: 'complex'; pairs: Array<[string, string]> }
  | { kind: 'list'; items: Array<string | Array<[string, string]>> };

/** Parses a value starting at tokens[at]; returns the value and the next index. */
export function parseValue(
  tokens: Token[],
  at: number,
): { value: PropValue; next: number } | undefined {
  const t = tokens[at];
  if (!t) return undefined;
  if (t.kind === 'word' || t.kind === 'string')
    return { value: { kind: 'simple', value: t.text }, next: at + 1 };
  if (t.kind === '(') {
    const parsed = parseComplex(tokens, at);
    return parsed && { value: { kind: 'complex', pairs: parsed.pairs }, next: parsed.next };
  }
  if (t.kind === '[') {
    const items: Array<string | Array<[string, string]>> = [];
    let k = at + 1;
    while (k < tokens.length && tokens[k]!.kind !== ']') {
      const tk = tokens[k]!;
      if (tk.kind === 'word' || tk.kind === 'string') {
        items.push(tk.text);
        k++;
      } else if (tk.kind === '(') {
        const parsed = parseComplex(tokens, k);
        if (!parsed) return undefined;
        items.push(parsed.pairs);
        k = parsed.next;
      } else return undefined;
      if (tokens[k]?.kind === ',') k++;
    }
    if (tokens[k]?.kind !== ']') return undefined;
    return { value: { kind: 'list', items }, next: k + 1 };
  }
  return undefined;
}

function parseComplex(
  tokens: Token[],
  at: number,
): { pairs: Array<[string, string]>; next: number } | undefined {
  const pairs: Array<[string, string]> = [];
  let k = at + 1;
  while (k < tokens.length && tokens[k]!.kind !== ')') {
    const name = tokens[k];
    const eq = tokens[k + 1];
    const val = tokens[k + 2];
    if (
      name?.kind !== 'word' ||
      eq?.kind !== '=' ||
      !val ||
      (val.kind !== 'word' && val.kind !== 'string')
    ) {
      return undefined;
    }
    pairs.push([name.text, val.text]);
    k += 3;
    if (tokens[k]?.kind === ',') k++;
  }
  if (tokens[k]?.kind !== ')') return undefined;
  return { pairs, next: k + 1 };
}
