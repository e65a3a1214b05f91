/**
 * Waits `ms`, or less when `signal` aborts first. It resolves either way: a loop that sleeps
 * between attempts checks `signal.aborted` itself and leaves, with no rejection to catch.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
