import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeGuestOsRelease } from '../src/guest/guest-disk.js';
import { makeZone, newHost, ok } from './helpers.js';
import { httpGet, newClientKey, sshExec } from './ssh-client.js';

/**
 * A host with a public address serves each rdr forward of a running zone on that address:
 * port 22 reaches the guest's SSH server (keys from its cloud-init seed), other ports its web
 * responder; the listener goes with the rule or the zone's halt.
 */
const octet = () => 1 + Math.floor(Math.random() * 250);

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

async function guestHost(publicKey: string) {
  const address = `127.${octet()}.${octet()}.2`;
  const root = newHost({ publicAddress: address });
  mkdirSync(join(root, 'root', 'var', 'apiary'), { recursive: true });
  writeFileSync(
    join(root, 'root', 'var', 'apiary', 'vm1-user-data'),
    `#cloud-config\nhostname: vm-one\ndisable_root: false\nssh_authorized_keys:\n  - ${JSON.stringify(publicKey)}\n`,
  );
  const seed =
    'add attr\nset name=cloud-init\nset type=string\nset value=/var/apiary/vm1-user-data\nend\n';
  await makeZone(root, 'vm1', false, seed);
  writeGuestOsRelease(root, 'rpool/zones/vm1/disk0', 'alpine');
  await ok(root, ['zoneadm', '-z', 'vm1', 'boot']);
  return { root, address };
}

const rdr = (port: number, guestPort: number) =>
  `rdr e1000g0 0.0.0.0/0 port ${port} -> 10.0.0.112 port ${guestPort} tcp\n`;

describe('forwards to the simulated guest', () => {
  it('runs commands over SSH with the cloud-init key and refuses any other key', async () => {
    const key = newClientKey();
    const { root, address } = await guestHost(key.publicKey);
    await ok(root, ['ipnat', '-f', '-'], rdr(40022, 22));
    const target = { host: address, port: 40022, privateKey: key.privateKey };
    expect(await sshExec(target, 'hostname')).toEqual({ stdout: 'vm-one\n', stderr: '', code: 0 });
    expect((await sshExec(target, 'uname -a')).stdout).toMatch(/^Linux vm-one .*Alpine/);
    expect((await sshExec(target, 'cat /etc/os-release')).stdout).toContain('ID=alpine');
    expect(await sshExec(target, 'frobnicate')).toEqual({
      stdout: '',
      stderr: 'sh: frobnicate: not found\n',
      code: 127,
    });
    // the default user of the image has the key too; another user has none
    expect((await sshExec({ ...target, username: 'alpine' }, 'hostname')).code).toBe(0);
    await expect(sshExec({ ...target, username: 'bob' }, 'hostname')).rejects.toThrow(
      /authentication methods failed/,
    );
    await expect(
      sshExec({ ...target, privateKey: newClientKey().privateKey }, 'hostname'),
    ).rejects.toThrow(/authentication methods failed/);
    const hostKey = statSync(join(root, 'root', 'zones', 'vm1', 'guest', 'ssh_host_ed25519_key'));
    expect(hostKey.mode & 0o777).toBe(0o600);
  });

  it('answers HTTP on other ports and closes a listener with its rule and with the zone', async () => {
    const { root, address } = await guestHost(newClientKey().publicKey);
    await ok(root, ['ipnat', '-f', '-'], rdr(40080, 80) + rdr(40022, 22));
    expect(await httpGet(address, 40080)).toEqual({ status: 200, body: 'vm-one\n' });
    await ok(root, ['ipnat', '-r', '-f', '-'], rdr(40080, 80));
    expect(await refused(address, 40080)).toBe(true);
    expect(await refused(address, 40022)).toBe(false);
    await ok(root, ['zoneadm', '-z', 'vm1', 'halt']);
    expect(await refused(address, 40022)).toBe(true);
  });

  it('binds a forward whose port another program held once that program lets go', async () => {
    const { root, address } = await guestHost(newClientKey().publicKey);
    const squatter = createServer((socket) => socket.end('squatter\n'));
    await new Promise<void>((r) => squatter.listen(40090, address, r));
    await ok(root, ['ipnat', '-f', '-'], rdr(40090, 80));
    await new Promise<void>((r) => squatter.close(() => r()));
    const deadline = Date.now() + 6000;
    let answer: { status: number; body: string } | undefined;
    while (!answer && Date.now() < deadline) {
      answer = await httpGet(address, 40090).catch(() => undefined);
      if (!answer) await new Promise((r) => setTimeout(r, 100));
    }
    expect(answer).toEqual({ status: 200, body: 'vm-one\n' });
  });

  it('keeps answering under deny_outgoing rules, and not when the zone blocks its replies', async () => {
    const { root, address } = await guestHost(newClientKey().publicKey);
    await ok(root, ['ipnat', '-f', '-'], rdr(40080, 80));
    // the agent's deny_outgoing rules: the guest may not open connections, but may answer
    const egress = [
      'block out quick proto tcp from any to any flags S/SA',
      'block out quick proto udp from any to any',
      'block out quick proto icmp from any to any icmp-type echo',
    ].join('\n');
    await ok(root, ['ipf', '-G', '-Fa', '-f', '-', 'vm1'], `${egress}\n`);
    expect(await httpGet(address, 40080)).toEqual({ status: 200, body: 'vm-one\n' });
    await ok(root, ['ipf', '-G', '-Fa', '-f', '-', 'vm1'], 'block out quick all\n');
    await expect(httpGet(address, 40080)).rejects.toThrow(/ECONNRESET|socket hang up/);
  });
});
