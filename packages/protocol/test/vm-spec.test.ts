import { describe, expect, it } from 'vitest';
import { CreateEnvReq, ExtendEnvReq, VmSpec } from '../src/index.js';
import { sshKey } from './fixtures.js';

describe('VmSpec', () => {
  it('applies the seed defaults: cpu 2, mem 1024, disk 40960, engine bhyve, port 22, nat', () => {
    expect(VmSpec.parse({ image: 'alpine-cloud' })).toEqual({
      image: 'alpine-cloud',
      engine: 'bhyve',
      cpu: 2,
      mem: 1024,
      disk: 40960,
      ports: [22],
      deny_outgoing: false,
      networks: ['nat'],
    });
  });

  it('checks network names and keeps env-... names for environment networks', () => {
    expect(VmSpec.parse({ image: 'a', networks: ['lan', 'nat'] }).networks).toEqual(['lan', 'nat']);
    for (const networks of [[], ['Bad'], ['nat', 'nat'], ['env-4096'], ['x; rm']])
      expect(VmSpec.safeParse({ image: 'a', networks }).success, String(networks)).toBe(false);
  });

  it('gives an environment no private network unless asked', () => {
    const base = { id: 'e', ssh_keys: [sshKey()], vms: [{ image: 'a' }] };
    expect(CreateEnvReq.parse(base).private_network).toBe(false);
    expect(CreateEnvReq.parse({ ...base, private_network: true }).private_network).toBe(true);
  });

  it('always exposes port 22 first, without duplicating it', () => {
    expect(VmSpec.parse({ image: 'a', ports: [80] }).ports).toEqual([22, 80]);
    expect(VmSpec.parse({ image: 'a', ports: [443, 22] }).ports).toEqual([22, 443]);
  });

  it.each([
    ['cpu below 1', { cpu: 0 }],
    ['fractional cpu', { cpu: 1.5 }],
    ['cpu above 64', { cpu: 65 }],
    ['memory below 256 MiB', { mem: 100 }],
    ['memory above 1 TiB', { mem: 2_000_000 }],
    ['negative disk', { disk: -1 }],
    ['disk below 1 GiB', { disk: 10 }],
    ['port 0', { ports: [0] }],
    ['port 65536', { ports: [65536] }],
    ['duplicate ports', { ports: [80, 80] }],
    ['an unknown engine', { engine: 'vmware' }],
    ['an unknown field', { gpus: 1 }],
    ['a string cpu', { cpu: '2' }],
  ])('rejects %s', (_, patch) => {
    expect(VmSpec.safeParse({ image: 'alpine-cloud', ...patch }).success).toBe(false);
  });

  it('takes boot_iso instead of image, with the usual disk default for the empty boot disk', () => {
    const spec = VmSpec.parse({ boot_iso: 'debian-12' });
    expect(spec).toMatchObject({ boot_iso: 'debian-12', disk: 40960 });
    expect(spec.image).toBeUndefined();
    expect(VmSpec.parse({ boot_iso: 'debian-12', disk: 8192 }).disk).toBe(8192);
  });

  it('refuses neither image nor boot_iso, and both, saying which field to fix', () => {
    const neither = VmSpec.safeParse({ cpu: 2 });
    expect(neither.error?.issues).toEqual([
      expect.objectContaining({
        path: ['image'],
        message: 'give an image, or boot_iso to install from an ISO',
      }),
    ]);
    const both = VmSpec.safeParse({ image: 'alpine-cloud', boot_iso: 'debian-12' });
    expect(both.error?.issues).toEqual([
      expect.objectContaining({ path: ['boot_iso'], message: 'give image or boot_iso, not both' }),
    ]);
    expect(VmSpec.safeParse({ boot_iso: 'Not A Name!' }).success).toBe(false);
  });

  it('names the offending port in the duplicate-port error', () => {
    const result = VmSpec.safeParse({ image: 'a', ports: [80, 443, 80] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('duplicate port 80');
    expect(result.error?.issues[0]?.path).toEqual(['ports', 2]);
  });
});

describe('CreateEnvReq', () => {
  const seedExample = {
    id: 'my-env',
    owner: 'alice',
    ssh_keys: [sshKey()],
    vms: [
      {
        image: 'alpine-cloud',
        engine: 'qemu',
        cpu: 2,
        mem: 2048,
        disk: 40960,
        ports: [80],
        deny_outgoing: false,
      },
    ],
    lifetime: 21600,
  };

  it('accepts the seed-003 example body', () => {
    const req = CreateEnvReq.parse(seedExample);
    expect(req.vms[0]?.ports).toEqual([22, 80]);
    expect(req.on_failure).toBe('rollback');
  });

  it('defaults the lifetime to 6 hours', () => {
    const { lifetime: _, ...rest } = seedExample;
    expect(CreateEnvReq.parse(rest).lifetime).toBe(21600);
  });

  it('rejects an environment without VMs or SSH keys', () => {
    expect(CreateEnvReq.safeParse({ ...seedExample, vms: [] }).success).toBe(false);
    expect(CreateEnvReq.safeParse({ ...seedExample, ssh_keys: [] }).success).toBe(false);
  });

  it('rejects a key that is not an SSH public key', () => {
    const result = CreateEnvReq.safeParse({ ...seedExample, ssh_keys: ['hello'] });
    expect(result.error?.issues[0]?.path).toEqual(['ssh_keys', 0]);
  });

  it('rejects lifetimes below a minute or above 30 days', () => {
    expect(CreateEnvReq.safeParse({ ...seedExample, lifetime: 10 }).success).toBe(false);
    expect(CreateEnvReq.safeParse({ ...seedExample, lifetime: 31 * 86400 }).success).toBe(false);
  });

  it('rejects unknown top-level fields', () => {
    expect(CreateEnvReq.safeParse({ ...seedExample, admin: true }).success).toBe(false);
  });
});

describe('ExtendEnvReq', () => {
  it('requires a positive number of seconds', () => {
    expect(ExtendEnvReq.safeParse({ seconds: 3600 }).success).toBe(true);
    expect(ExtendEnvReq.safeParse({ seconds: -5 }).success).toBe(false);
  });
});
