import { request } from 'node:http';
import { createConnection } from 'node:net';
import ssh2 from 'ssh2';

/**
 * Clients for a simulated guest behind a forwarded port, as a user reaches a VM: one command
 * over SSH (ssh2's client, with a private key), one HTTP GET, and whether a port refuses.
 */
export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | undefined;
}

export function newClientKey(): { privateKey: string; publicKey: string } {
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'tester@sim' });
  return { privateKey: pair.private, publicKey: pair.public };
}

export function sshExec(
  target: { host: string; port: number; privateKey: string; username?: string },
  command: string,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.on('error', reject);
    client.on('ready', () => {
      client.exec(command, (error, channel) => {
        if (error) return reject(error);
        const out = { stdout: '', stderr: '', code: undefined as number | undefined };
        channel.on('data', (d: Buffer) => {
          out.stdout += d.toString();
        });
        channel.stderr.on('data', (d: Buffer) => {
          out.stderr += d.toString();
        });
        channel.on('exit', (code: number) => {
          out.code = code;
        });
        channel.on('close', () => {
          client.end();
          resolve(out);
        });
      });
    });
    client.connect({
      host: target.host,
      port: target.port,
      username: target.username ?? 'root',
      privateKey: target.privateKey,
      readyTimeout: 10_000,
    });
  });
}

export function httpGet(host: string, port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Whether a TCP connection to `host:port` is refused (nothing listens there). */
export function connectionRefused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}
