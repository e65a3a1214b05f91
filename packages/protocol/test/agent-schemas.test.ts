import { describe, expect, it } from 'vitest';
import { AgentApiKeyString, CreateVmReq, DrainReq, StorageBackend } from '../src/index.js';

describe('StorageBackend', () => {
  it('accepts the seed aliases zfs and raw and reports canonical names', () => {
    expect(StorageBackend.parse('zfs')).toBe('zvol');
    expect(StorageBackend.parse('raw')).toBe('file');
    expect(StorageBackend.parse('zvol')).toBe('zvol');
    expect(StorageBackend.parse('file')).toBe('file');
  });
  it('rejects other backends', () => {
    expect(StorageBackend.safeParse('qcow2').success).toBe(false);
  });
});

describe('CreateVmReq', () => {
  it('applies defaults and always includes port 22', () => {
    const req = CreateVmReq.parse({ id: 'e-0', env_id: 'e', image: 'alpine-cloud' });
    expect(req).toMatchObject({ cpu: 2, mem: 1024, disk: 40960, ports: [22], clone: 'thin' });
  });
  it.each([
    { id: 'bad;id' },
    { env_id: '../x' },
    { image: 'a b' },
    { disk: 1e12 },
    { ssh_keys: ['nope'] },
    { extra: 1 },
  ])('rejects %j', (patch) => {
    expect(
      CreateVmReq.safeParse({ id: 'e-0', env_id: 'e', image: 'alpine-cloud', ...patch }).success,
    ).toBe(false);
  });
});

describe('AgentApiKeyString', () => {
  it('accepts wh_ followed by hex', () => {
    expect(AgentApiKeyString.safeParse('wh_1234567890abcdef1234567890abcdef').success).toBe(true);
  });
  it('rejects other prefixes and non-hex bodies', () => {
    expect(AgentApiKeyString.safeParse('hw_1234567890abcdef1234567890abcdef').success).toBe(false);
    expect(AgentApiKeyString.safeParse('wh_xyz').success).toBe(false);
  });
});

describe('DrainReq', () => {
  it('defaults to waiting for VMs to end', () => {
    expect(DrainReq.parse({})).toEqual({ mode: 'wait' });
  });
  it('moves VMs with mode migrate, a bounded number at once', () => {
    expect(DrainReq.parse({ mode: 'migrate', max_parallel: 2 })).toEqual({
      mode: 'migrate',
      max_parallel: 2,
    });
    expect(DrainReq.safeParse({ mode: 'migrate', max_parallel: 0 }).success).toBe(false);
    expect(DrainReq.safeParse({ mode: 'migrate', max_parallel: 17 }).success).toBe(false);
    expect(DrainReq.safeParse({ mode: 'teleport' }).success).toBe(false);
  });
});

describe('CreateVmReq on an environment network', () => {
  const base = { id: 'e-0', env_id: 'e', image: 'box' };
  const nic = { mac: '2:0:10:0:0:a', ip: '10.214.0.10' };
  it('takes env_nic together with an env-... network, and only then', () => {
    expect(
      CreateVmReq.safeParse({ ...base, networks: ['nat', 'env-4096'], env_nic: nic }).success,
    ).toBe(true);
    expect(CreateVmReq.safeParse({ ...base, networks: ['nat', 'env-4096'] }).success).toBe(false);
    expect(CreateVmReq.safeParse({ ...base, env_nic: nic }).success).toBe(false);
    expect(
      CreateVmReq.safeParse({ ...base, networks: ['env-1'], env_nic: { ...nic, mac: 'x' } })
        .success,
    ).toBe(false);
  });
});
