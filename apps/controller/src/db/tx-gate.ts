import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * SQLite has one connection, so a transaction that awaits (the services are async, written once
 * for both engines) must not let another piece of work's statements run on that connection while
 * it is open: they would join the transaction, and a rollback would undo them too. The gate
 * lets one transaction in at a time and holds every statement from outside it until it ends;
 * statements of the transaction itself (recognised through AsyncLocalStorage) go straight in.
 */
export class TxGate {
  private readonly inside = new AsyncLocalStorage<symbol>();
  private holder: symbol | null = null;
  private readonly waiting: Array<() => void> = [];

  /** Whether a transaction holds the connection now. */
  get held(): boolean {
    return this.holder !== null;
  }

  /** Statements and transactions waiting for the open transaction to end (for `/metrics`). */
  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves when a statement from the current async context may run. */
  async admit(): Promise<void> {
    while (this.holder !== null && this.inside.getStore() !== this.holder) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** Whether the current async context is inside the open transaction. */
  insideTransaction(): boolean {
    return this.holder !== null && this.inside.getStore() === this.holder;
  }

  /** Runs `fn` as the one open transaction; others wait for it to end. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.insideTransaction()) {
      // It would wait for itself forever: nesting goes through the transaction's own handle.
      throw new Error('a transaction was opened inside another; use tx.transaction for nesting');
    }
    // Check and take in one synchronous step after each wake-up: two waiters woken together
    // must not both see the gate free.
    while (this.holder !== null) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    const token = Symbol('transaction');
    this.holder = token;
    try {
      return await this.inside.run(token, fn);
    } finally {
      this.holder = null;
      // Wake everyone: each re-checks; the first transaction among them takes the gate again.
      for (const wake of this.waiting.splice(0)) wake();
    }
  }
}
