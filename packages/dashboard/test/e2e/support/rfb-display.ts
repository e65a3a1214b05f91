/**
 * The server side of an RFB 3.8 session, enough for a client to connect: version, security type
 * None, ServerInit, then one raw frame on the first update request. Used as the far end of a
 * routed websocket to check what the VNC widget does with a display; it is not a VNC server.
 */
export function createRfbDisplay(send: (data: Buffer) => void, width = 640, height = 360) {
  let stage: 'version' | 'security' | 'init' | 'running' = 'version';
  let framed = false;
  send(Buffer.from('RFB 003.008\n'));
  return {
    get stage() {
      return stage;
    },
    receive(data: Buffer) {
      if (stage === 'version') {
        stage = 'security';
        send(Buffer.from([1, 1])); // one security type: None
      } else if (stage === 'security') {
        stage = 'init';
        send(Buffer.alloc(4)); // SecurityResult: OK
      } else if (stage === 'init') {
        stage = 'running';
        send(serverInit(width, height, 'web-1-0'));
      } else if (!framed && data.length > 0) {
        framed = true;
        send(frame(width, height));
      }
    },
  };
}

function serverInit(width: number, height: number, name: string): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt16BE(width, 0);
  head.writeUInt16BE(height, 2);
  // Pixel format: 32 bpp, depth 24, little endian, true colour, 8 bits per channel.
  Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]).copy(head, 4);
  head.writeUInt32BE(name.length, 20);
  return Buffer.concat([head, Buffer.from(name)]);
}

/** One raw rectangle in greys only, so the client's channel order does not matter. */
function frame(width: number, height: number): Buffer {
  const head = Buffer.alloc(16);
  head.writeUInt8(0, 0); // FramebufferUpdate
  head.writeUInt16BE(1, 2); // one rectangle
  head.writeUInt16BE(width, 8);
  head.writeUInt16BE(height, 10);
  head.writeInt32BE(0, 12); // raw encoding
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const band = Math.floor(y / 40) % 2 === 0 ? 0x24 : 0x2c;
      const grey = x > 40 && x < 600 && y > 40 && y < 80 ? 0xc8 : band;
      pixels.fill(grey, (y * width + x) * 4, (y * width + x) * 4 + 3);
    }
  }
  return Buffer.concat([head, pixels]);
}
