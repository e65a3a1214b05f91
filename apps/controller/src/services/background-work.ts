/**
 * Tracks work that runs after a response was sent (environment sagas, drains), so shutdown can
 * wait for it and tests can wait until the controller is idle. The work itself is durable: what
 * a shutdown interrupts is resumed by the reconciler on the next start.
 */
export class BackgroundWork {
  private inFlight = new Set<Promise<unknown>>();
  /** The last work queued per key (running, or waiting for the one before it). */
  private tails = new Map<string, Promise<void>>();
  /** Keys with work waiting behind the running one. */
  private waiting = new Set<string>();
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
   * Runs `fn` unless work with the same key (e.g. an environment id) is already running or
   * waiting. Returns whether it was started. One saga per environment at a time, in this process.
   */
  runExclusive(
    key: string,
    fn: () => Promise<unknown>,
    onError: (name: string, e: unknown) => void,
  ): boolean {
    if (this.stopping || this.tails.has(key)) return false;
    this.enqueue(key, fn, onError);
    return true;
  }

  /**
   * Runs `fn` once the work holding `key` is done, unless something already waits for it.
   * For a saga whose state change is already recorded (an environment set to `stopping` while
   * one of its VMs still starts): it goes next instead of waiting for the reconciler's pass.
   */
  runNext(
    key: string,
    fn: () => Promise<unknown>,
    onError: (name: string, e: unknown) => void,
  ): boolean {
    if (this.stopping || this.waiting.has(key)) return false;
    this.enqueue(key, fn, onError);
    return true;
  }

  isBusy(key: string): boolean {
    return this.tails.has(key);
  }

  private enqueue(
    key: string,
    fn: () => Promise<unknown>,
    onError: (name: string, e: unknown) => void,
  ) {
    const before = this.tails.get(key);
    if (before) this.waiting.add(key);
    const tail = (async () => {
      if (before) {
        await before;
        this.waiting.delete(key);
      }
      if (this.stopping) return;
      await fn().catch((e) => onError(key, e));
    })().finally(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    this.tails.set(key, tail);
    this.inFlight.add(tail);
    void tail.finally(() => this.inFlight.delete(tail));
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
