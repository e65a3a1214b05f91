import { createHash } from 'node:crypto';

/**
 * The simulator's send stream, a text format so it travels through stdout strings as well as
 * pipes and files. One stream is the magic line and then one section per snapshot sent (a
 * DRR_BEGIN ... DRR_END substream in ZFS):
 *
 *   APIARY-SIM-ZSTREAM 2
 *   BEGIN {"toname":"rpool/img@base","toguid":"...","type":"volume",...}
 *   W <offset> <base64 of up to 128K of data>      (a DRR_WRITE)
 *   F <offset> <length>                             (a DRR_FREE: zeros)
 *   END <checksum of the section's lines>
 *
 * A stream cut anywhere is detectable: a record line without its newline is incomplete, a
 * section without END is unfinished, and END's checksum catches damage. What a receiver took
 * in before the cut (whole records only) is what a resumable receive keeps.
 */
export const STREAM_MAGIC = 'APIARY-SIM-ZSTREAM 2';

export interface StreamBegin {
  /** `fs@snap` as the sender names it (drr_toname). */
  toname: string;
  toguid: string;
  /** Set for an incremental stream: the guid of its source snapshot. */
  fromguid?: string;
  type: 'filesystem' | 'volume';
  creation: number;
  referenced: number;
  volsize?: number;
  volblocksize?: number;
  /** Length of the volume data at the snapshot. */
  length: number;
  /** The file system named on `zfs send` (sendfs), which receive names destinations by. */
  sendfs: string;
  /** Locally set properties, with -p or -R. */
  props?: Record<string, string>;
  /** A -R stream: several file systems (`cannot specify snapshot name` on receive). */
  replicate?: boolean;
  /** A stream made by `zfs send -t`: it starts at the resume point. */
  resume?: { object: number; offset: number; bytes: number };
}

export type StreamRecord =
  | { kind: 'W'; offset: number; data: Buffer }
  | { kind: 'F'; offset: number; length: number };

export interface StreamSection {
  begin: StreamBegin;
  records: StreamRecord[];
  /** END seen and its checksum matched. */
  complete: boolean;
  /** Bytes of this section taken in (whole lines only). */
  bytes: number;
}

export type ParsedStream =
  | { ok: true; sections: StreamSection[] }
  | { ok: false; error: 'read' | 'magic' };

function checksum(lines: string[]): string {
  const hash = createHash('sha256');
  for (const line of lines) hash.update(`${line}\n`);
  return hash.digest('hex').slice(0, 32);
}

/** Writes sections; `finish()` returns the stream text. */
export class StreamWriter {
  private readonly out: string[] = [`${STREAM_MAGIC}\n`];
  private section: string[] = [];

  begin(begin: StreamBegin): void {
    this.section = [`BEGIN ${JSON.stringify(begin)}`];
  }

  write(offset: number, data: Buffer | undefined, length: number): void {
    this.section.push(
      data === undefined ? `F ${offset} ${length}` : `W ${offset} ${data.toString('base64')}`,
    );
  }

  end(): void {
    for (const line of this.section) this.out.push(`${line}\n`);
    this.out.push(`END ${checksum(this.section)}\n`);
    this.section = [];
  }

  finish(): string {
    return this.out.join('');
  }
}

function size(line: string): number {
  return Buffer.byteLength(line) + 1;
}

function parseRecord(line: string): StreamRecord | undefined {
  const m = /^([WF]) (\d+) (\S+)$/.exec(line);
  if (!m) return undefined;
  const offset = Number(m[2]);
  if (m[1] === 'F') {
    return /^\d+$/.test(m[3]!) ? { kind: 'F', offset, length: Number(m[3]) } : undefined;
  }
  return { kind: 'W', offset, data: Buffer.from(m[3]!, 'base64') };
}

function parseBegin(line: string): StreamBegin | undefined {
  if (!line.startsWith('BEGIN ')) return undefined;
  try {
    const begin = JSON.parse(line.slice(6)) as StreamBegin;
    return typeof begin.toname === 'string' && typeof begin.toguid === 'string' ? begin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a stream as recv_read() and the kernel would: fewer bytes than a first BEGIN record is
 * `failed to read from stream`, a wrong magic is `bad magic number`; after that each section
 * is returned with the records that arrived whole and whether it ended intact. Parsing stops
 * at the first damaged or unfinished section (nothing after it is read).
 */
export function parseStream(buf: Buffer): ParsedStream {
  // the last piece has no newline: a cut record, never used
  const lines = buf.toString('utf8').split('\n');
  lines.pop();
  if (lines.length < 2) {
    if (lines.length === 1 && lines[0] !== STREAM_MAGIC) return { ok: false, error: 'magic' };
    return { ok: false, error: 'read' };
  }
  if (lines[0] !== STREAM_MAGIC) return { ok: false, error: 'magic' };
  const sections: StreamSection[] = [];
  let i = 1;
  while (i < lines.length) {
    const begin = parseBegin(lines[i]!);
    if (!begin) {
      if (sections.length === 0) return { ok: false, error: 'magic' };
      break;
    }
    const seen = [lines[i]!];
    const section: StreamSection = { begin, records: [], complete: false, bytes: size(lines[i]!) };
    sections.push(section);
    i++;
    for (; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.startsWith('END ')) {
        section.complete = line.slice(4) === checksum(seen);
        section.bytes += size(line);
        i++;
        break;
      }
      const record = parseRecord(line);
      if (!record) break;
      seen.push(line);
      section.records.push(record);
      section.bytes += size(line);
    }
    if (!section.complete) break;
  }
  return { ok: true, sections };
}
