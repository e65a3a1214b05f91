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

export function stateColor(state: string): string {
  if (['running', 'active', 'ready', 'complete', 'succeeded'].includes(state)) return green(state);
  if (['failed', 'down', 'degraded'].includes(state)) return red(state);
  if (['unknown', 'suspect', 'stopped'].includes(state)) return yellow(state);
  return state;
}
