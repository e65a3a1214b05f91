import { type StateTone, stateTone } from '@apiary/protocol';

const enabled = process.stdout.isTTY === true && !process.env.NO_COLOR;

const wrap = (code: number) => (text: string) =>
  enabled ? `\u001b[${code}m${text}\u001b[0m` : text;

export const green = wrap(32);
export const yellow = wrap(33);
export const red = wrap(31);
export const dim = wrap(2);
export const bold = wrap(1);

/** Liveness as operators read it: a coloured dot and the word (the word survives no-colour). */
export function liveness(state: string): string {
  const paint = state === 'ready' ? green : state === 'suspect' ? yellow : red;
  return paint(`● ${state}`);
}

const PAINT: Record<StateTone, (text: string) => string> = {
  good: green,
  busy: (text) => text,
  idle: dim,
  warning: yellow,
  bad: red,
};

/** A state in the colour of its tone, the tone the dashboard's chips use too. */
export function stateColor(state: string): string {
  return PAINT[stateTone(state)](state);
}
