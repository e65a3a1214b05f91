import { beforeAll, describe, expect, it } from 'vitest';
import { type SimAgent, simAgent } from './helpers/sim-agent.js';

/*
 * The transfer token of an import (issue 15): it opens that import's routes only, while the
 * import is open and unexpired, and an agent key without the operator role opens nothing.
 */

const spec = (id: string) => ({
  id,
  env_id: 'auth',
  image: 'box',
  image_digest: null,
  cpu: 1,
  mem: 512,
  disk: 1024,
  disks: [],
  cdrom: null,
  boot_iso: false,
  ports: [22],
  port_map: { '22': 40000 },
  deny_outgoing: false,
  ssh_keys: [],
  clone: 'thin' as const,
  mac: '2:8:20:1:2:3',
  created_at: new Date().toISOString(),
  volumes: [{ name: 'disk0', volsize: 1024 * 1024 * 1024 }],
});

let t: SimAgent;

beforeAll(async () => {
  t = await simAgent();
});

const getImport = (id: string, token?: string) =>
  t.fetch(`http://agent.test/api/migrations/imports/${id}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

describe('transfer tokens', () => {
  it('open their own import only, until it is aborted', async () => {
    const one = await t.api.openImport({ body: { spec: spec('au1') } });
    const two = await t.api.openImport({ body: { spec: spec('au2') } });
    expect((await getImport(one.import_id, one.transfer_token)).status).toBe(200);
    expect((await getImport(one.import_id)).status).toBe(401);
    expect((await getImport(one.import_id, two.transfer_token)).status).toBe(401);
    expect((await getImport(one.import_id, `tt_${'0'.repeat(64)}`)).status).toBe(401);
    await t.api.abortImport({ params: { id: one.import_id as `imp_${string}` } });
    expect((await getImport(one.import_id, one.transfer_token)).status).toBe(401);
    await t.api.abortImport({ params: { id: two.import_id as `imp_${string}` } });
    expect((await t.api.info()).resources.used).toEqual({ cpu: 0, mem: 0, disk: 0 });
  });

  it('stop working when they expire', async () => {
    const opened = await t.api.openImport({ body: { spec: spec('au3'), ttl_seconds: 60 } });
    t.agent.db.$client
      .prepare('update migration_imports set expires_at = ? where id = ?')
      .run(new Date(Date.now() - 1000).toISOString(), opened.import_id);
    expect((await getImport(opened.import_id, opened.transfer_token)).status).toBe(401);
    await t.api.abortImport({ params: { id: opened.import_id as `imp_${string}` } });
  });

  it('reserve the VM’s room at once and give it back on abort; keep the source’s free ports', async () => {
    const opened = await t.api.openImport({ body: { spec: spec('au4') } });
    expect((await t.api.info()).resources.used).toEqual({ cpu: 1, mem: 512, disk: 1024 });
    const vm = await t.api.getVm({ params: { id: 'au4' } });
    expect(vm.state).toBe('importing');
    expect(vm.port_map).toEqual({ '22': 40000 });
    expect(await t.api.deleteVm({ params: { id: 'au4' } }).catch((e) => e.code)).toBe('conflict');
    await t.api.abortImport({ params: { id: opened.import_id as `imp_${string}` } });
    expect(await t.api.getVm({ params: { id: 'au4' } }).catch((e) => e.code)).toBe('not_found');
    expect((await t.api.info()).resources.used).toEqual({ cpu: 0, mem: 0, disk: 0 });
  });
});
