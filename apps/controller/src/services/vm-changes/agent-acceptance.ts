import type { ApiError } from '@apiary/protocol';

/**
 * The route that accepted a change waits (briefly) for the agent to take or refuse it, so an
 * agent's refusal (a 409 naming later snapshots, a 400 on a shrink) reaches the caller as it is
 * instead of as a failed operation to poll. Whichever comes first (the saga's answer or the
 * route's wait) creates the entry.
 */
export class AgentAcceptances {
  private readonly pending = new Map<
    string,
    { promise: Promise<void>; settle: (error: ApiError | null) => void }
  >();

  private entry(id: string) {
    let e = this.pending.get(id);
    if (!e) {
      let settle!: (error: ApiError | null) => void;
      const promise = new Promise<void>((resolve, reject) => {
        settle = (error) => (error ? reject(error) : resolve());
      });
      promise.catch(() => {});
      e = { promise, settle };
      this.pending.set(id, e);
    }
    return e;
  }

  /** The agent took the request (null) or refused it (its error). */
  settle(id: string, error: ApiError | null): void {
    this.entry(id).settle(error);
  }

  /** Resolves when the agent took it, rejects with its refusal; resolves anyway after `ms`. */
  async wait(id: string, ms: number): Promise<void> {
    const e = this.entry(id);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([e.promise, new Promise((r) => (timer = setTimeout(r, ms)))]);
    } finally {
      clearTimeout(timer);
    }
  }

  forget(id: string): void {
    this.pending.delete(id);
  }
}
