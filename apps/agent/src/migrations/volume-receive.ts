import { Readable } from 'node:stream';
import { ApiError } from '@apiary/protocol';
import type { HostExec } from '../host/exec.js';
import { keptPartial, receiveResumable } from '../host/zfs-transfer.js';
import { batchesOf } from './byte-batches.js';

/** A stream being received into a volume now. */
interface LiveReceive {
  bytes: number;
  /** End the stream where it is (zfs keeps what arrived) and wait for the receive to exit. */
  cancel(): Promise<void>;
}

/**
 * The receives running on this host, one per volume at a time, with their byte counts (the
 * import's progress) and a way to stop them (an import aborted while a stream arrives).
 */
export class LiveReceives {
  private readonly live = new Map<string, LiveReceive>();

  bytes(key: string): number | null {
    return this.live.get(key)?.bytes ?? null;
  }

  has(key: string): boolean {
    return this.live.has(key);
  }

  /** Cancel every receive whose key starts with `prefix` (an import's volumes). */
  async cancelAll(prefix: string): Promise<void> {
    const mine = [...this.live.entries()].filter(([k]) => k.startsWith(prefix));
    await Promise.all(mine.map(([, r]) => r.cancel()));
  }

  /**
   * Mark a volume as receiving from the moment its upload arrives, before the checks that
   * precede the receive: a sender whose previous stream broke off sees `receiving` (and waits)
   * rather than a volume with no token yet, which it would send whole again.
   */
  claim(key: string): () => void {
    if (this.live.has(key)) {
      throw new ApiError('conflict', `${key} is already being received`, { retryable: true });
    }
    const entry: LiveReceive = { bytes: 0, cancel: async () => undefined };
    this.live.set(key, entry);
    return () => {
      if (this.live.get(key) === entry) this.live.delete(key);
    };
  }

  /**
   * `zfs receive -s -u TARGET` fed from an HTTP body, for a volume `claim`ed first. When the body breaks off (the sender or
   * the network went away), zfs is given end-of-file rather than killed: it then keeps what
   * arrived as a partial receive with a resume token, exactly as when a pipe's writer dies.
   */
  async receive(
    key: string,
    exec: HostExec,
    target: string,
    body: ReadableStream<Uint8Array>,
    timeoutMs: number,
  ): Promise<void> {
    const entry = this.live.get(key);
    if (!entry) throw new Error(`${key} was not claimed`);
    // Batches, not the body's 16 KiB TLS records, go into zfs's stdin (byte-batches.ts). A body
    // that breaks off, or a cancel, ends the batches after what arrived: zfs reads end-of-file.
    const reader = body.getReader();
    const batches = batchesOf(reader, (bytes) => {
      entry.bytes += bytes;
    });
    const running = receiveResumable(exec, target, Readable.from(batches), timeoutMs);
    const stop = () => reader.cancel().catch(() => undefined);
    entry.cancel = async () => {
      await stop();
      await running.catch(() => undefined);
    };
    try {
      await running;
    } catch (error) {
      if (keptPartial(error)) {
        throw new ApiError(
          'conflict',
          'the stream stopped short; what arrived is kept: resume it from the import’s resume token',
          { retryable: true },
        );
      }
      throw error;
    } finally {
      // zfs may stop reading early (a refused stream): the rest of the body is not wanted.
      await stop();
    }
  }
}
