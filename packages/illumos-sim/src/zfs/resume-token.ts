import { deflateSync, inflateSync } from 'node:zlib';

/**
 * `receive_resume_token` values in ZFS's shape (libzfs_sendrecv.c,
 * zfs_send_resume_token_to_nvlist): `1-<fletcher4 word 0 of the payload, hex>-<unpacked
 * length, hex>-<zlib-compressed payload, hex>`. ZFS packs an XDR nvlist; the simulator packs
 * JSON with the same fields (object, offset, bytes, toguid, toname, fromguid), so tokens look
 * and fail the same way without being byte-compatible with a real host's.
 */
export interface ResumeFields {
  object: number;
  offset: number;
  bytes: number;
  toguid: string;
  toname: string;
  fromguid?: string;
}

/** fletcher_4 over little-endian 32-bit words (a short tail is zero-padded): word 0. */
function fletcher4(buf: Buffer): bigint {
  const mask = (1n << 64n) - 1n;
  let a = 0n;
  let b = 0n;
  let c = 0n;
  let d = 0n;
  const padded = Buffer.concat([buf, Buffer.alloc((4 - (buf.length % 4)) % 4)]);
  for (let i = 0; i < padded.length; i += 4) {
    a = (a + BigInt(padded.readUInt32LE(i))) & mask;
    b = (b + a) & mask;
    c = (c + b) & mask;
    d = (d + c) & mask;
  }
  return a;
}

export function encodeResumeToken(fields: ResumeFields): string {
  const packed = Buffer.from(JSON.stringify(fields));
  const compressed = deflateSync(packed);
  return `1-${fletcher4(compressed).toString(16)}-${packed.length.toString(16)}-${compressed.toString('hex')}`;
}

/** The fields, or the reason libzfs gives (`resume token is corrupt (...)`). */
export function decodeResumeToken(token: string): ResumeFields | { error: string } {
  const head = /^\s*(\d+)-([0-9a-fA-F]+)-([0-9a-fA-F]+)-/.exec(token);
  if (!head) return { error: 'resume token is corrupt (invalid format)' };
  if (Number(head[1]) !== 1)
    return { error: `resume token is corrupt (invalid version ${head[1]})` };
  const hex = token.slice(token.lastIndexOf('-') + 1);
  // sscanf("%2hhx") per byte: a pair that does not start with a hex digit stops it
  const bytes: number[] = [];
  for (let i = 0; i < Math.floor(hex.length / 2); i++) {
    const pair = /^[0-9a-fA-F]{1,2}/.exec(hex.slice(2 * i, 2 * i + 2));
    if (!pair) return { error: 'resume token is corrupt (payload is not hex-encoded)' };
    bytes.push(Number.parseInt(pair[0], 16));
  }
  const compressed = Buffer.from(bytes);
  if (fletcher4(compressed) !== BigInt(`0x${head[2]}`))
    return { error: 'resume token is corrupt (incorrect checksum)' };
  let packed: Buffer;
  try {
    packed = inflateSync(compressed);
  } catch {
    return { error: 'resume token is corrupt (decompression failed)' };
  }
  if (packed.length !== Number.parseInt(head[3]!, 16))
    return { error: 'resume token is corrupt (decompression failed)' };
  let fields: Partial<ResumeFields>;
  try {
    fields = JSON.parse(packed.toString()) as Partial<ResumeFields>;
  } catch {
    return { error: 'resume token is corrupt (nvlist_unpack failed)' };
  }
  if (
    typeof fields.toname !== 'string' ||
    typeof fields.toguid !== 'string' ||
    typeof fields.object !== 'number' ||
    typeof fields.offset !== 'number' ||
    typeof fields.bytes !== 'number'
  ) {
    return { error: 'resume token is corrupt' };
  }
  return fields as ResumeFields;
}

/** nvlist_print() of the token's fields, as `zfs send -v -t` shows them. */
export function printResumeFields(fields: ResumeFields): string {
  const hexGuid = (g: string) => `0x${BigInt(g).toString(16)}`;
  let out = 'nvlist version: 0\n';
  if (fields.fromguid !== undefined) out += `\tfromguid = ${hexGuid(fields.fromguid)}\n`;
  out += `\tobject = 0x${fields.object.toString(16)}\n`;
  out += `\toffset = 0x${fields.offset.toString(16)}\n`;
  out += `\tbytes = 0x${fields.bytes.toString(16)}\n`;
  out += `\ttoguid = ${hexGuid(fields.toguid)}\n`;
  out += `\ttoname = ${fields.toname}\n`;
  return out;
}
