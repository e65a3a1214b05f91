import type { Socket } from 'node:net';

/**
 * The server side of RFB 3.8 (also answers 3.7/3.3 clients): security type None, a small
 * framebuffer named after the zone, raw-encoded updates in whatever true-colour pixel format
 * the client asked for. The picture is a dark screen with a band of text-like blocks.
 * Incremental update requests are held until something changes (nothing does), as real
 * servers do, so a client like noVNC does not spin.
 */
const WIDTH = 640;
const HEIGHT = 400;

interface PixelFormat {
  bpp: number;
  bigEndian: boolean;
  redMax: number;
  greenMax: number;
  blueMax: number;
  redShift: number;
  greenShift: number;
  blueShift: number;
}

const DEFAULT_FORMAT: PixelFormat = {
  bpp: 32,
  bigEndian: false,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 16,
  greenShift: 8,
  blueShift: 0,
};

function pixelAt(name: string, x: number, y: number): [number, number, number] {
  const row = Math.floor(y / 16);
  const col = Math.floor(x / 10);
  const inText = row >= 2 && row < 6 && x % 10 < 8 && y % 16 >= 3 && y % 16 < 13;
  if (inText) {
    const code = name.charCodeAt((col + row * 7) % Math.max(1, name.length)) || 32;
    if ((code + col * 3 + row) % 5 !== 0 && col < 10 + name.length * 2) return [200, 200, 200];
  }
  return [16, 24, 48];
}

function encodeRect(
  name: string,
  fmt: PixelFormat,
  x0: number,
  y0: number,
  w: number,
  h: number,
): Buffer {
  const bytes = fmt.bpp / 8;
  const buf = Buffer.alloc(w * h * bytes);
  let o = 0;
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      const [r, g, b] = pixelAt(name, x, y);
      const v =
        (Math.round((r * fmt.redMax) / 255) << fmt.redShift) |
        (Math.round((g * fmt.greenMax) / 255) << fmt.greenShift) |
        (Math.round((b * fmt.blueMax) / 255) << fmt.blueShift);
      if (bytes === 4)
        fmt.bigEndian ? buf.writeUInt32BE(v >>> 0, o) : buf.writeUInt32LE(v >>> 0, o);
      else if (bytes === 2)
        fmt.bigEndian ? buf.writeUInt16BE(v & 0xffff, o) : buf.writeUInt16LE(v & 0xffff, o);
      else buf.writeUInt8(v & 0xff, o);
      o += bytes;
    }
  }
  return buf;
}

export function serveRfb(socket: Socket, desktopName: string): void {
  let buffer = Buffer.alloc(0);
  let stage: 'version' | 'security' | 'init' | 'normal' = 'version';
  let version = 8;
  let fmt = DEFAULT_FORMAT;
  socket.write('RFB 003.008\n');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const used = step();
      if (used === 0) return;
      buffer = buffer.subarray(used);
    }
  });

  function step(): number {
    if (stage === 'version') {
      if (buffer.length < 12) return 0;
      const m = /^RFB 003\.00(\d)\n$/.exec(buffer.subarray(0, 12).toString('latin1'));
      if (!m) {
        socket.destroy();
        return 0;
      }
      version = Number(m[1]) >= 8 ? 8 : Number(m[1]) >= 7 ? 7 : 3;
      if (version === 3) {
        socket.write(Buffer.from([0, 0, 0, 1]));
        stage = 'init';
      } else {
        socket.write(Buffer.from([1, 1]));
        stage = 'security';
      }
      return 12;
    }
    if (stage === 'security') {
      if (buffer.length < 1) return 0;
      if (buffer[0] !== 1) {
        const reason = Buffer.from('security type not supported');
        const head = Buffer.alloc(8);
        head.writeUInt32BE(1, 0);
        head.writeUInt32BE(reason.length, 4);
        socket.end(Buffer.concat([head, reason]));
        return 0;
      }
      if (version === 8) socket.write(Buffer.from([0, 0, 0, 0]));
      stage = 'init';
      return 1;
    }
    if (stage === 'init') {
      if (buffer.length < 1) return 0;
      const name = Buffer.from(desktopName, 'utf8');
      const init = Buffer.alloc(24);
      init.writeUInt16BE(WIDTH, 0);
      init.writeUInt16BE(HEIGHT, 2);
      init.writeUInt8(32, 4);
      init.writeUInt8(24, 5);
      init.writeUInt8(0, 6);
      init.writeUInt8(1, 7);
      init.writeUInt16BE(255, 8);
      init.writeUInt16BE(255, 10);
      init.writeUInt16BE(255, 12);
      init.writeUInt8(16, 14);
      init.writeUInt8(8, 15);
      init.writeUInt8(0, 16);
      init.writeUInt32BE(name.length, 20);
      socket.write(Buffer.concat([init, name]));
      stage = 'normal';
      return 1;
    }
    return message();
  }

  function message(): number {
    const type = buffer[0];
    if (type === undefined) return 0;
    switch (type) {
      case 0: {
        if (buffer.length < 20) return 0;
        fmt = {
          bpp: buffer.readUInt8(4),
          bigEndian: buffer.readUInt8(6) !== 0,
          redMax: buffer.readUInt16BE(8),
          greenMax: buffer.readUInt16BE(10),
          blueMax: buffer.readUInt16BE(12),
          redShift: buffer.readUInt8(14),
          greenShift: buffer.readUInt8(15),
          blueShift: buffer.readUInt8(16),
        };
        if (![8, 16, 32].includes(fmt.bpp)) fmt = DEFAULT_FORMAT;
        return 20;
      }
      case 2: {
        if (buffer.length < 4) return 0;
        const n = buffer.readUInt16BE(2);
        return buffer.length < 4 + 4 * n ? 0 : 4 + 4 * n;
      }
      case 3: {
        if (buffer.length < 10) return 0;
        const incremental = buffer.readUInt8(1) !== 0;
        const x = Math.min(buffer.readUInt16BE(2), WIDTH);
        const y = Math.min(buffer.readUInt16BE(4), HEIGHT);
        const w = Math.min(buffer.readUInt16BE(6), WIDTH - x);
        const h = Math.min(buffer.readUInt16BE(8), HEIGHT - y);
        if (!incremental && w > 0 && h > 0) {
          const head = Buffer.alloc(16);
          head.writeUInt8(0, 0);
          head.writeUInt16BE(1, 2);
          head.writeUInt16BE(x, 4);
          head.writeUInt16BE(y, 6);
          head.writeUInt16BE(w, 8);
          head.writeUInt16BE(h, 10);
          head.writeInt32BE(0, 12);
          socket.write(Buffer.concat([head, encodeRect(desktopName, fmt, x, y, w, h)]));
        }
        return 10;
      }
      case 4:
        return buffer.length < 8 ? 0 : 8;
      case 5:
        return buffer.length < 6 ? 0 : 6;
      case 6: {
        if (buffer.length < 8) return 0;
        const len = buffer.readUInt32BE(4);
        return buffer.length < 8 + len ? 0 : 8 + len;
      }
      default:
        socket.destroy();
        return 0;
    }
  }
}
