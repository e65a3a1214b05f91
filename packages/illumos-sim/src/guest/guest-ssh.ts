import type { Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { GuestIdentity } from './guest-identity.js';
import { runShellLine, type ShellContext } from './guest-shell.js';
import { ShellSession } from './shell-session.js';

/**
 * The guest's SSH server on one forwarded connection: public key authentication only, against
 * the keys cloud-init gave the user (read at each attempt, so the seed of the current boot
 * counts); then `exec` runs one line of the minimal shell and `shell` runs it interactively.
 */
export function serveSsh(socket: Socket, hostKey: string, guest: () => GuestIdentity): void {
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    let identity: GuestIdentity | undefined;
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
      identity = guest();
      const offered = ctx.key;
      const match = (identity.keys.get(ctx.username) ?? [])
        .map((line) => ssh2.utils.parseKey(line))
        .find(
          (k): k is ssh2.ParsedKey =>
            !(k instanceof Error) &&
            !Array.isArray(k) &&
            k.type === offered.algo &&
            k.getPublicSSH().equals(offered.data),
        );
      if (!match) return ctx.reject(['publickey']);
      // Without a signature the client only asks whether the key would do.
      if (!ctx.signature) return ctx.accept();
      if (match.verify(ctx.blob as Buffer, ctx.signature, ctx.hashAlgo) !== true)
        return ctx.reject(['publickey']);
      ctx.accept();
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        let pty = false;
        session.on('pty', (accept) => {
          pty = true;
          accept?.();
        });
        session.on('env', (accept) => accept?.());
        session.on('window-change', (accept) => accept?.());
        const shell = (): ShellContext => ({
          hostname: (identity as GuestIdentity).hostname,
          os: (identity as GuestIdentity).os,
        });
        session.on('exec', (accept, _reject, info) => {
          const channel = accept();
          const result = runShellLine(info.command, shell());
          channel.write(result.stdout);
          channel.stderr.write(result.stderr);
          channel.exit(result.exit ?? result.status);
          channel.end();
        });
        session.on('shell', (accept) => {
          new ShellSession(accept(), shell(), pty).start();
        });
      });
    });
    client.on('error', () => client.end());
  });
  socket.on('error', () => socket.destroy());
  server.injectSocket(socket);
}
