/** Bounds how many async tasks run at once; the rest wait in FIFO order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter so `active` never drops and re-rises.
      if (next) next();
      else this.active--;
    }
  }
}

/** Serializes tasks per key (one operation per VM at a time) without blocking other keys. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/**
 * Many readers or one writer, granted in arrival order (a waiting writer holds back later
 * readers, so it cannot starve). Operations on VMs are readers; a reconciliation pass that must
 * see the host and the database without an operation changing them in between is a writer.
 */
export class RwLock {
  private readers = 0;
  private writing = false;
  private readonly queue: Array<{ write: boolean; grant: () => void }> = [];

  read<T>(task: () => Promise<T>): Promise<T> {
    return this.with(false, task);
  }

  write<T>(task: () => Promise<T>): Promise<T> {
    return this.with(true, task);
  }

  private async with<T>(write: boolean, task: () => Promise<T>): Promise<T> {
    await new Promise<void>((grant) => {
      this.queue.push({ write, grant });
      this.drain();
    });
    try {
      return await task();
    } finally {
      if (write) this.writing = false;
      else this.readers--;
      this.drain();
    }
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (this.writing || (head.write && this.readers > 0)) return;
      this.queue.shift();
      if (head.write) this.writing = true;
      else this.readers++;
      head.grant();
      if (head.write) return;
    }
  }
}
