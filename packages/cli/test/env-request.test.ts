import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateEnvReq } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { buildCreateEnvRequest } from '../src/lib/env-request.js';
import { UsageError } from '../src/lib/errors.js';
import { sshKey, tempDir } from './fixtures.js';

const emptyHome = tempDir();

describe('buildCreateEnvRequest', () => {
  it('builds N identical VMs from flags', () => {
    const req = buildCreateEnvRequest(
      {
        id: 'dev',
        image: 'alpine-cloud',
        count: '3',
        cpu: '4',
        port: ['80', '443'],
        sshKey: [sshKey()],
      },
      emptyHome,
    );
    const parsed = CreateEnvReq.parse(req);
    expect(parsed.vms).toHaveLength(3);
    expect(parsed.vms[0]).toMatchObject({ cpu: 4, mem: 1024, ports: [22, 80, 443] });
  });

  it('reads the seed example from a YAML file, and flags override it', () => {
    const dir = tempDir();
    const file = join(dir, 'env.yaml');
    writeFileSync(
      file,
      `id: my-env\nowner: alice\nssh_keys:\n  - "${sshKey()}"\nvms:\n  - image: alpine-cloud\n    mem: 2048\n    ports: [80]\nlifetime: 21600\n`,
    );
    const req = CreateEnvReq.parse(buildCreateEnvRequest({ file, lifetime: '2h' }, emptyHome));
    expect(req).toMatchObject({ id: 'my-env', owner: 'alice', lifetime: 7200 });
    expect(req.vms[0]).toMatchObject({ mem: 2048, ports: [22, 80] });
  });

  it('reads a JSON file', () => {
    const file = join(tempDir(), 'env.json');
    writeFileSync(file, JSON.stringify({ id: 'j', ssh_keys: [sshKey()], vms: [{ image: 'a' }] }));
    expect(buildCreateEnvRequest({ file }, emptyHome).id).toBe('j');
  });

  it('uses ~/.ssh/id_ed25519.pub when no key is given', () => {
    const home = tempDir();
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'id_ed25519.pub'), `${sshKey('me@home')}\n`);
    const req = buildCreateEnvRequest({ id: 'k', image: 'a' }, home);
    expect(req.ssh_keys).toEqual([sshKey('me@home')]);
  });

  it('says what is missing instead of sending a half request', () => {
    expect(() => buildCreateEnvRequest({ image: 'a', sshKey: [sshKey()] }, emptyHome)).toThrow(
      /environment id is required/,
    );
    expect(() => buildCreateEnvRequest({ id: 'x', sshKey: [sshKey()] }, emptyHome)).toThrow(
      /no VMs/,
    );
    expect(() => buildCreateEnvRequest({ id: 'x', image: 'a' }, emptyHome)).toThrow(/no SSH key/);
    expect(() => buildCreateEnvRequest({ id: 'x', image: 'a', cpu: 'two' }, emptyHome)).toThrow(
      UsageError,
    );
  });

  it('reports a malformed file with its path', () => {
    const file = join(tempDir(), 'bad.json');
    writeFileSync(file, '{ nope');
    expect(() => buildCreateEnvRequest({ file }, emptyHome)).toThrow(/bad\.json/);
  });
});
