/**
 * Tracks work that runs after a response was sent (environment sagas, drains), so shutdown can
 * wait for it and tests can wait until the controller is idle. The work itself is durable: what
 * a shutdown interrupts is resumed by the reconciler on the next start.
 */
export class BackgroundWork {
  private inFlight = new Set<Promise<unknown>>();
  private busyKeys = new Set<string>();
  private readonly controller = new AbortController();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopping(): boolean {
    return this.controller.signal.aborted;
  }

  run(name: string, fn: () => Promise<unknown>, onError: (name: string, e: unknown) => void) {
    if (this.stopping) return;
    const p = fn()
      .catch((e) => onError(name, e))
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /**
   * Runs `fn` unless work with the same key (e.g. an environment id) is already running.
   * Returns whether it was started. One saga per environment at a time, in this process.
   */
  runExclusive(
    key: string,
    fn: () => Promise<unknown>,
    onError: (name: string, e: unknown) => void,
  ): boolean {
    if (this.stopping || this.busyKeys.has(key)) return false;
    this.busyKeys.add(key);
    this.run(key, () => fn().finally(() => this.busyKeys.delete(key)), onError);
    return true;
  }

  isBusy(key: string): boolean {
    return this.busyKeys.has(key);
  }

  /** Resolves when nothing is in flight (work started meanwhile is waited for too). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Asks running work to stop at its next step and waits up to `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    this.controller.abort();
    await Promise.race([this.idle(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  get size() {
    return this.inFlight.size;
  }
}
