import WebSocket from 'ws';

const DETACH = 0x1d; // Ctrl-]

/**
 * Bridges a terminal to a console websocket: raw keystrokes out, bytes in. Ctrl-] detaches,
 * as in telnet; everything else (including zlogin's own `~.`) goes to the console.
 */
export function attachConsole(
  url: string,
  input: NodeJS.ReadStream,
  output: NodeJS.WritableStream,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const raw = input.isTTY === true;
    const onData = (chunk: Buffer) => {
      if (chunk.includes(DETACH)) {
        socket.close(1000, 'detached');
        return;
      }
      if (socket.readyState === WebSocket.OPEN) socket.send(chunk);
    };
    const cleanup = () => {
      input.off('data', onData);
      if (raw) input.setRawMode(false);
      input.pause();
    };
    socket.on('open', () => {
      if (raw) input.setRawMode(true);
      input.on('data', onData);
      input.resume();
    });
    socket.on('message', (data: Buffer) => output.write(data));
    socket.on('close', () => {
      cleanup();
      resolve();
    });
    socket.on('error', (error) => {
      cleanup();
      reject(new Error(`console connection failed: ${error.message}`));
    });
  });
}
