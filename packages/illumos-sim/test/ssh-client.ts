import { request } from 'node:http';
import ssh2 from 'ssh2';

/** Test clients for a simulated guest's forwarded ports: one SSH command, one HTTP GET. */
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
