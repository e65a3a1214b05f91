import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readState, readZvol, writeZvol } from '@apiary/illumos-sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOfOperation } from '../src/migrations/export-store.js';
import { cuttingProxy } from './helpers/cutting-proxy.js';
import { hostSnapshot } from './helpers/host-snapshot.js';
import { finished, type ServedAgent, servedAgent } from './helpers/migration-pair.js';

/*
 * Moving a VM between two agents on two simulated hosts through the agent endpoints (issue
 * 15): the controller's part (open the import, export to it, commit, release) is played by the
 * test; the disks go agent to agent over HTTP, `zfs send` into `zfs receive -s -u`.
 */

const DS = 'rpool/apiary/vms';
const MiB = 1024 * 1024;

let a: ServedAgent;
let b: ServedAgent;
let emptyA: ReturnType<typeof hostSnapshot>;
let emptyB: ReturnType<typeof hostSnapshot>;

beforeAll(async () => {
  [a, b] = await Promise.all([servedAgent(), servedAgent()]);
  emptyA = hostSnapshot(a.simRoot);
  emptyB = hostSnapshot(b.simRoot);
});

async function vmOnA(id: string, opts: { dataDisk?: boolean } = {}) {
  const op = await finished(
    a,
    a.api.createVm({
      body: {
        id,
        env_id: 'move',
        image: 'box',
        cpu: 1,
        mem: 1024,
        disk: 1024,
        ports: [8080],
        ssh_keys: [
          'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDLc2ztI6nPTVuLTQwrMqL1PAw0s8yAvNSNOx1mq7hYf me@host',
        ],
      },
    }),
  );
  expect(op.state, op.error?.msg).toBe('succeeded');
  if (opts.dataDisk) {
    const added = await finished(a, a.api.addDisk({ params: { id }, body: { size: 512 } }));
    expect(added.state, added.error?.msg).toBe('succeeded');
  }
}

const mac = (root: string, vnic: string) =>
  readState(root).links.find((l) => l.name === vnic)?.mac ?? null;
const vnicOf = (root: string, id: string) =>
  readState(root)
    .zones.find((z) => z.name === id)
    ?.config.resources.find((r) => r.type === 'net')?.props.physical;
const userData = (root: string, id: string) =>
  readFileSync(join(root, 'root', 'var', 'apiary', 'cloud-init', id, 'user-data'), 'utf8');

/** The controller's part of a move, step by step, with the transfer passing through `via`. */
async function move(id: string, opts: { via?: string; running?: boolean } = {}) {
  const spec = await a.remote.migrationSpec({ params: { id } });
  const opened = await b.remote.openImport({ body: { spec } });
  const targetUrl = opts.via ? opened.upload_url.replace(b.address, opts.via) : opened.upload_url;
  const exportTo = (snapshot: string, from?: string) =>
    finished(
      a,
      a.remote.startExport({
        body: {
          vm_id: id,
          target_url: targetUrl,
          transfer_token: opened.transfer_token,
          snapshot,
          ...(from ? { incremental_from: from } : {}),
        },
      }),
    );
  // A first full copy while the VM runs, then only what changed once it is stopped.
  const first = await exportTo('m1');
  expect(first.state, first.error?.msg).toBe('succeeded');
  // A controller that lost the start's answer finds the export from its operation.
  const found = await a.remote.exportsOfOperation({ query: { operation_id: first.id } });
  expect(found.items.map((e) => [e.snapshot, e.operation_id])).toEqual([['m1', first.id]]);
  const none = await a.remote.exportsOfOperation({ query: { operation_id: 'op_nosuchone' } });
  expect(none.items).toEqual([]);
  writeZvol(a.simRoot, `${DS}/${id}/disk0`, 'written after the first copy', 3 * MiB);
  const stopped = await finished(a, a.api.stopVm({ params: { id } }));
  expect(stopped.state).toBe('succeeded');
  const second = await exportTo('m2', 'm1');
  expect(second.state, second.error?.msg).toBe('succeeded');
  const commit = await finished(
    b,
    b.remote.commitImport({
      params: { id: opened.import_id },
      body: { start: opts.running ?? true },
    }),
  );
  expect(commit.state, commit.error?.msg).toBe('succeeded');
  const released = await finished(a, a.remote.releaseVm({ params: { id } }));
  expect(released.state, released.error?.msg).toBe('succeeded');
  return { opened, first, second };
}

describe('moving a VM between two agents', () => {
  it('carries its data, id, configuration, MAC, cloud-init and forwards; nothing stays on the source', async () => {
    const id = 'mv1';
    await vmOnA(id, { dataDisk: true });
    const boot = randomBytes(2 * MiB);
    const data = Buffer.from('data disk contents\n');
    writeZvol(a.simRoot, `${DS}/${id}/disk0`, boot);
    writeZvol(a.simRoot, `${DS}/${id}/data0`, data);
    const before = await a.api.getVm({ params: { id } });
    const vnicA = vnicOf(a.simRoot, id)!;
    const macA = mac(a.simRoot, vnicA);
    const userDataA = userData(a.simRoot, id);
    expect(macA).toBeTruthy();

    await move(id);

    const after = await b.api.getVm({ params: { id } });
    expect(after.state).toBe('running');
    expect(after).toMatchObject({
      env_id: before.env_id,
      cpu: before.cpu,
      mem: before.mem,
      disk: before.disk,
      ports: before.ports,
      port_map: before.port_map,
      image: before.image,
      created_at: before.created_at,
    });
    expect(after.disks?.map((d) => [d.n, d.size])).toEqual(before.disks?.map((d) => [d.n, d.size]));
    expect(readZvol(b.simRoot, `${DS}/${id}/disk0`, { length: boot.length })).toEqual(boot);
    expect(
      readZvol(b.simRoot, `${DS}/${id}/disk0`, { offset: 3 * MiB, length: 28 }).toString(),
    ).toBe('written after the first copy');
    expect(readZvol(b.simRoot, `${DS}/${id}/data0`, { length: data.length })).toEqual(data);
    expect(mac(b.simRoot, vnicOf(b.simRoot, id)!)).toBe(macA);
    expect(userData(b.simRoot, id)).toBe(userDataA);
    // Nothing of it is left on the source: the host as before the VM was made.
    expect(await a.api.getVm({ params: { id } }).catch((e) => e.code)).toBe('not_found');
    expect(hostSnapshot(a.simRoot)).toEqual(emptyA);
    expect((await a.api.info()).resources.used).toEqual({ cpu: 0, mem: 0, disk: 0 });
    // And on the target, deleting it leaves that host as it was.
    expect((await finished(b, b.api.deleteVm({ params: { id } }))).state).toBe('succeeded');
    expect(hostSnapshot(b.simRoot)).toEqual(emptyB);
  }, 300_000);

  it('resumes a stream cut halfway from the target’s resume token', async () => {
    const id = 'mv2';
    await vmOnA(id);
    const boot = randomBytes(2 * MiB);
    writeZvol(a.simRoot, `${DS}/${id}/disk0`, boot);
    const proxy = await cuttingProxy(b.address, 1.5 * MiB);
    const mark = a.commands().length;

    const { first } = await move(id, { via: proxy.address, running: false });

    expect(proxy.state.cuts).toBe(1);
    const exp = await a.remote.getExport({
      params: { id: exportIdOf(first.id) },
    });
    expect(exp.volumes[0]?.resumes).toBe(1);
    const sends = a
      .commands()
      .slice(mark)
      .map((c) => c.argv.join(' '))
      .filter((c) => c.startsWith('zfs send') && !c.includes('-nP'));
    expect(sends.some((c) => c.startsWith('zfs send -t 1-'))).toBe(true);
    expect(readZvol(b.simRoot, `${DS}/${id}/disk0`, { length: boot.length })).toEqual(boot);
    expect((await b.api.getVm({ params: { id } })).state).toBe('stopped');
    expect(hostSnapshot(a.simRoot)).toEqual(emptyA);
    expect((await finished(b, b.api.deleteVm({ params: { id } }))).state).toBe('succeeded');
    expect(hostSnapshot(b.simRoot)).toEqual(emptyB);
  }, 300_000);
});

/** The export an operation ran (operations name their VM, exports their operation). */
function exportIdOf(operationId: string): string {
  return exportOfOperation(a.agent.db, operationId)!.id;
}
