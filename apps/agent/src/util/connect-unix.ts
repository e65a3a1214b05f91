import { connect, type Socket } from 'node:net';
import { basename, dirname } from 'node:path';

/** sun_path holds 108 bytes on Linux, 104 on macOS, 108 on illumos, NUL included. */
const MAX_SOCKET_PATH = 103;

/**
 * Connects to a unix socket, also when its path is longer than a socket address can hold (a
 * zonepath under a deep --host-root, as with a simulated host in a long temp dir): then it
 * connects by the socket's name from inside its directory. libuv issues connect(2) for a pipe
 * synchronously, so the working directory is changed only for the length of that call.
 */
export function connectUnix(path: string): Socket {
  if (Buffer.byteLength(path) <= MAX_SOCKET_PATH) return connect(path);
  const cwd = process.cwd();
  process.chdir(dirname(path));
  try {
    return connect(`./${basename(path)}`);
  } finally {
    process.chdir(cwd);
  }
}
