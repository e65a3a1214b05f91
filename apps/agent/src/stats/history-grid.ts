import { parseDuration, type StatsQuery } from '@apiary/protocol';
import type { Grid, UsageHistory } from './usage-history.js';

/*
 * `?since=&step=` to the steps of one answer. `since` is a timestamp or "the last DURATION"
 * (default 1 h), never further back than the coarse ring reaches. `step` defaults to the
 * sample interval within the fine ring's hour and to a minute beyond it; it is rounded up to
 * a whole number of the resolution it reads, raised to a minute when `since` reaches past the
 * fine ring, and raised again if the answer would hold more than MAX_POINTS steps.
 */
export const MAX_POINTS = 1500;

const roundUp = (x: number, unit: number) => Math.max(unit, Math.ceil(x / unit) * unit);

export function historyGrid(query: StatsQuery, nowS: number, history: UsageHistory): Grid {
  const earliest = nowS - history.coarseSpanS;
  let since = nowS - 3600;
  if (query.since !== undefined) {
    since = /^\d{4}-/.test(query.since)
      ? Math.floor(Date.parse(query.since) / 1000)
      : nowS - parseDuration(query.since);
  }
  since = Math.min(nowS, Math.max(earliest, since));
  const reachesPastFine = since < nowS - history.fineSpanS;
  let step = query.step !== undefined ? parseDuration(query.step) : 0;
  if (step === 0) step = reachesPastFine ? history.coarseStepS : history.fineStepS;
  step =
    step < history.coarseStepS && !reachesPastFine
      ? roundUp(step, history.fineStepS)
      : roundUp(step, history.coarseStepS);
  if ((nowS - since) / step > MAX_POINTS) {
    step = roundUp((nowS - since) / MAX_POINTS, history.coarseStepS);
  }
  const start = Math.floor(since / step) * step;
  return { start, step, count: Math.floor(nowS / step) - Math.floor(since / step) + 1 };
}
