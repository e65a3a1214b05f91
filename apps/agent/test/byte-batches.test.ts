import { describe, expect, it } from 'vitest';
import { ByteBatch, batchesOf } from '../src/migrations/byte-batches.js';

/** A web stream of `pieces`, failing after them when `failWith` is given. */
function streamOf(pieces: Uint8Array[], failWith?: Error): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < pieces.length) controller.enqueue(pieces[i++]!);
      else if (failWith) controller.error(failWith);
      else controller.close();
    },
  });
}

const pieces = (count: number, size: number) =>
  Array.from({ length: count }, (_, n) => new Uint8Array(size).fill(n % 251));

async function collect(gen: AsyncGenerator<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of gen) out.push(b);
  return out;
}

describe('byte batches (the migration stream hands on ~1 MiB at a time)', () => {
  it('hands on every byte in order, in batches of at least the limit but the last', async () => {
    const input = pieces(37, 1000);
    const counted: number[] = [];
    const out = await collect(batchesOf(streamOf(input).getReader(), (n) => counted.push(n), 4096));
    expect(Buffer.concat(out)).toEqual(Buffer.concat(input));
    for (const b of out.slice(0, -1)) expect(b.length).toBeGreaterThanOrEqual(4096);
    expect(out.length).toBe(Math.ceil(37 / 5));
    expect(counted.reduce((s, n) => s + n, 0)).toBe(37_000);
  });

  it('a stream that breaks off still hands on what arrived, then ends without an error', async () => {
    const input = pieces(3, 1000);
    const out = await collect(
      batchesOf(streamOf(input, new Error('connection reset')).getReader(), undefined, 1 << 20),
    );
    expect(Buffer.concat(out)).toEqual(Buffer.concat(input));
  });

  it('a cancelled reader ends the batches after what arrived', async () => {
    let enqueued = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (enqueued++ < 2) controller.enqueue(new Uint8Array(10).fill(7));
        // then nothing more: a sender that went quiet
      },
    });
    const reader = stream.getReader();
    const gen = collect(batchesOf(reader, undefined, 1 << 20));
    await new Promise((r) => setTimeout(r, 20));
    await reader.cancel();
    const out = await gen;
    expect(Buffer.concat(out)).toEqual(Buffer.alloc(20, 7));
  });

  it('ByteBatch is full at its limit and starts over when taken', () => {
    const batch = new ByteBatch(10);
    expect(batch.add(new Uint8Array(6))).toBe(false);
    expect(batch.add(new Uint8Array(0))).toBe(false);
    expect(batch.add(new Uint8Array(4))).toBe(true);
    expect(batch.take()?.length).toBe(10);
    expect(batch.bytes).toBe(0);
    expect(batch.take()).toBeNull();
  });
});
