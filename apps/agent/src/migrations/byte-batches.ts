/*
 * A volume's stream moves between two agents in pieces of whatever size each hop hands over:
 * 64 KiB reads from `zfs send`'s pipe, 16 KiB TLS records on the receiving side. Every piece
 * costs a trip through the web-stream adapters, a promise or two, a timer, and on the target a
 * write into `zfs receive`'s stdin that wakes that process: per piece, not per byte. Handing the
 * stream on in batches of about a megabyte makes those costs ~60 times rarer (issue 15's
 * transfer rate; docs/performance.md, "Migration transfer").
 */

/** How much a batch gathers before it is handed on. */
export const BATCH_BYTES = 1024 * 1024;

/** Gathers pieces until a batch is full; `take` empties it. */
export class ByteBatch {
  private pieces: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly limit = BATCH_BYTES) {}

  get bytes(): number {
    return this.size;
  }

  /** Adds a piece; true when the batch is full and should be handed on. */
  add(piece: Uint8Array): boolean {
    if (piece.length > 0) {
      this.pieces.push(piece);
      this.size += piece.length;
    }
    return this.size >= this.limit;
  }

  /** The gathered bytes as one buffer (null when there are none); the batch starts over. */
  take(): Buffer | null {
    if (this.size === 0) return null;
    const out =
      this.pieces.length === 1
        ? Buffer.from(
            this.pieces[0]!.buffer,
            this.pieces[0]!.byteOffset,
            this.pieces[0]!.byteLength,
          )
        : Buffer.concat(this.pieces, this.size);
    this.pieces = [];
    this.size = 0;
    return out;
  }
}

/**
 * What `reader` yields as batches of at least `limit` bytes (the last one smaller). A stream
 * that fails or is cancelled (`reader.cancel()`) part-way still hands on what it gave before
 * (a resumable receive keeps every whole record that arrived), then ends without an error: the
 * caller learns of the break from its own side (the receive's exit status, the request's error).
 */
export async function* batchesOf(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  onPiece: (bytes: number) => void = () => undefined,
  limit = BATCH_BYTES,
): AsyncGenerator<Buffer> {
  const batch = new ByteBatch(limit);
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch {
      break;
    }
    if (next.done) break;
    onPiece(next.value.length);
    if (batch.add(next.value)) yield batch.take()!;
  }
  const rest = batch.take();
  if (rest) yield rest;
}
