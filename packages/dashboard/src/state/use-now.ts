import { useEffect, useState } from 'preact/hooks';

/**
 * One clock per interval, shared by every component reading it: a fleet of 1,000 host cards
 * runs one timer, not 1,000, and they all move their "ago" labels in the same frame.
 */
interface Clock {
  now: number;
  timer: ReturnType<typeof setInterval>;
  listeners: Set<(now: number) => void>;
}

const clocks = new Map<number, Clock>();

function subscribe(intervalMs: number, listener: (now: number) => void): () => void {
  let clock = clocks.get(intervalMs);
  if (!clock) {
    const created: Clock = {
      now: Date.now(),
      listeners: new Set(),
      timer: setInterval(() => {
        created.now = Date.now();
        for (const l of created.listeners) l(created.now);
      }, intervalMs),
    };
    clocks.set(intervalMs, created);
    clock = created;
  }
  clock.listeners.add(listener);
  const owner = clock;
  return () => {
    owner.listeners.delete(listener);
    if (owner.listeners.size === 0) {
      clearInterval(owner.timer);
      clocks.delete(intervalMs);
    }
  };
}

/** The current time, refreshed every `intervalMs`, for countdowns and "3m ago" labels. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => subscribe(intervalMs, setNow), [intervalMs]);
  return now;
}
