import { fnmatch } from '../core/glob.js';
import { ereToRegExp } from './kstat-regex.js';

/**
 * ks_match(): a selector field is a shell glob (gmatch) unless it has the form `/.../`, then
 * an extended RE between the first and the last `/`. Like kstat.c the RE is compiled on first
 * use, so a bad RE is only reported when kstat gets to compare with it.
 */
export class KstatPattern {
  private regex?: RegExp;

  constructor(readonly text: string) {}

  matches(value: string): boolean {
    if (this.regex) return this.regex.test(value);
    if (this.text.length >= 2 && this.text.startsWith('/') && this.text.endsWith('/')) {
      this.regex = ereToRegExp(this.text.slice(1, this.text.lastIndexOf('/')));
      return this.regex.test(value);
    }
    return fnmatch(this.text, value);
  }
}

export interface Selector {
  module: KstatPattern;
  instance: KstatPattern;
  name: KstatPattern;
  statistic: KstatPattern;
}

export function selector(parts: Partial<Record<keyof Selector, string>> = {}): Selector {
  return {
    module: new KstatPattern(parts.module ?? '*'),
    instance: new KstatPattern(parts.instance ?? '*'),
    name: new KstatPattern(parts.name ?? '*'),
    statistic: new KstatPattern(parts.statistic ?? '*'),
  };
}

/** `module:instance:name:statistic`, empty fields matching everything; undefined if > 4 fields. */
export function parseSelector(operand: string): Selector | undefined {
  const fields = operand.split(':');
  if (fields.length > 4) return undefined;
  const [module, instance, name, statistic] = fields.map((f) => (f === '' ? undefined : f));
  return selector({
    ...(module !== undefined ? { module } : {}),
    ...(instance !== undefined ? { instance } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(statistic !== undefined ? { statistic } : {}),
  });
}
