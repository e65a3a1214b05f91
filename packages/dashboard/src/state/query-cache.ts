import { shareStructure } from './share-structure.js';
import type { Topic } from './topics.js';

export interface QueryState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** When the data was last fetched (ms); 0 before the first answer. */
  fetchedAt: number;
}

interface Entry {
  state: QueryState<unknown>;
  fetcher: () => Promise<unknown>;
  topics: readonly Topic[];
  listeners: Set<() => void>;
  inflight: Promise<void> | undefined;
  /** An invalidation arrived while fetching: fetch once more when the current fetch ends. */
  again: boolean;
}

/**
 * A small cache of API reads keyed by string. Views subscribe; invalidating a topic refetches
 * every watched query on it (one request at a time per query, the last answer wins), while the
 * previous data stays on screen so live updates never flash a spinner. A new answer shares
 * every unchanged part with the previous one (`shareStructure`).
 */
export class QueryCache {
  private entries = new Map<string, Entry>();

  /** `onError` sees every failed fetch (the app signs out on 401 there). */
  constructor(private readonly onError: (error: unknown) => void = () => {}) {}

  register(key: string, fetcher: () => Promise<unknown>, topics: readonly Topic[]): void {
    const entry = this.entries.get(key);
    if (entry) {
      entry.fetcher = fetcher;
      entry.topics = topics;
      return;
    }
    this.entries.set(key, {
      state: { data: undefined, error: undefined, loading: false, fetchedAt: 0 },
      fetcher,
      topics,
      listeners: new Set(),
      inflight: undefined,
      again: false,
    });
  }

  get<T>(key: string): QueryState<T> | undefined {
    return this.entries.get(key)?.state as QueryState<T> | undefined;
  }

  subscribe(key: string, listener: () => void): () => void {
    const entry = this.entries.get(key);
    if (!entry) throw new Error(`query ${key} is not registered`);
    entry.listeners.add(listener);
    return () => entry.listeners.delete(listener);
  }

  fetch(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return Promise.resolve();
    if (entry.inflight) {
      entry.again = true;
      return entry.inflight;
    }
    this.update(entry, { loading: true });
    entry.inflight = (async () => {
      do {
        entry.again = false;
        try {
          // Parts equal to the previous answer keep their identity: rows that did not change
          // are the same objects, so memoised views skip them.
          const data = shareStructure(entry.state.data, await entry.fetcher());
          this.update(entry, { data, error: undefined, fetchedAt: Date.now() });
        } catch (error) {
          // Keep the last good data: a failed refresh should not blank the screen.
          this.update(entry, { error });
          this.onError(error);
        }
      } while (entry.again);
      entry.inflight = undefined;
      this.update(entry, { loading: false });
    })();
    return entry.inflight;
  }

  /** Resolves when the query's current fetch (if any) has finished. */
  settled(key: string): Promise<void> {
    return this.entries.get(key)?.inflight ?? Promise.resolve();
  }

  /** Refetch watched queries on these topics; unwatched ones are refetched when next shown. */
  invalidate(topics: readonly Topic[]): void {
    for (const [key, entry] of this.entries) {
      if (!entry.topics.some((t) => topics.includes(t))) continue;
      if (entry.listeners.size > 0) void this.fetch(key);
      else entry.state = { ...entry.state, fetchedAt: 0 };
    }
  }

  invalidateAll(): void {
    for (const [key, entry] of this.entries) {
      if (entry.listeners.size > 0) void this.fetch(key);
      else entry.state = { ...entry.state, fetchedAt: 0 };
    }
  }

  /** Forget everything (sign-out): the next user must not see the previous user's data. */
  clear(): void {
    this.entries.clear();
  }

  private update(entry: Entry, patch: Partial<QueryState<unknown>>) {
    entry.state = { ...entry.state, ...patch };
    for (const listener of entry.listeners) listener();
  }
}
