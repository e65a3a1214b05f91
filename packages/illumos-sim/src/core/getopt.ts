/**
 * POSIX getopt(3) as the illumos tools use it: clustered flags (`-cp`), option arguments either
 * attached (`-oname`) or separate (`-o name`), `--` ends options, and parsing stops at the first
 * operand. Errors carry getopt's own wording so callers can print them before the usage text.
 */
export interface ParsedOpts {
  /** Options in command-line order, `[flag, argument?]`; order matters for `ipf -Fa -f`. */
  list: Array<[string, string | undefined]>;
  flags: Set<string>;
  values: Map<string, string[]>;
  operands: string[];
}

export class GetoptError extends Error {
  constructor(
    message: string,
    readonly option: string,
  ) {
    super(message);
  }
}

/** `spec` is getopt's optstring, e.g. `"cinpvz:R:"`. */
export function getopt(args: string[], spec: string, stopAtOperand = true): ParsedOpts {
  const list: Array<[string, string | undefined]> = [];
  const operands: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (stopAtOperand) break;
      operands.push(arg);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const flag = arg[j]!;
      const at = spec.indexOf(flag);
      if (at < 0 || flag === ':') {
        throw new GetoptError(`illegal option -- ${flag}`, flag);
      }
      if (spec[at + 1] === ':') {
        let value = arg.slice(j + 1);
        if (value === '') {
          i++;
          if (i >= args.length)
            throw new GetoptError(`option requires an argument -- ${flag}`, flag);
          value = args[i]!;
        }
        list.push([flag, value]);
        break;
      }
      list.push([flag, undefined]);
    }
  }
  operands.push(...args.slice(i));
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  for (const [flag, value] of list) {
    flags.add(flag);
    if (value !== undefined) values.set(flag, [...(values.get(flag) ?? []), value]);
  }
  return { list, flags, values, operands };
}

export function lastValue(opts: ParsedOpts, flag: string): string | undefined {
  const all = opts.values.get(flag);
  return all ? all[all.length - 1] : undefined;
}
