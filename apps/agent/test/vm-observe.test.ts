import { join } from 'node:path';
import { silentLogger } from '@apiary/server-kit';
import { describe, expect, it } from 'vitest';
import type { HostResources } from '../src/capacity/host-capacity.js';
import { openDatabase } from '../src/db/open.js';
import type { CommandResult, HostExec } from '../src/host/exec.js';
import { createLayout } from '../src/host/layout.js';
import type { ImageService } from '../src/images/image-service.js';
import type { OperationRunner } from '../src/vms/operation-runner.js';
import { VmService } from '../src/vms/vm-service.js';
import { getVm, insertVm, setVmState } from '../src/vms/vm-store.js';
import { tempDir } from './helpers/temp.js';

/*
 * Listing folds the host's view into VMs with no operation running. A `zoneadm list` shared by
 * concurrent listings may have been started before an operation finished: what it shows must
 * not overrule a state written after it started.
 */

/** A host whose `zoneadm list -cpn` answers only when the test says, with the zones given. */
function slowHost() {
  const pending: Array<(stdout: string) => void> = [];
  let lists = 0;
  const exec: HostExec = {
    run(command, args): Promise<CommandResult> {
      const argv = [command, ...args];
      if (argv.join(' ') !== 'zoneadm list -cpn') return Promise.reject(new Error('unexpected'));
      lists++;
      return new Promise((resolve) =>
        pending.push((stdout) => resolve({ argv, exitCode: 0, stdout, stderr: '', durationMs: 1 })),
      );
    },
    pipe: () => Promise.reject(new Error('unexpected')),
    resolve: (c) => [c],
  };
  const answer = (zones: Array<[string, string]>) => {
    const stdout = zones.map(([name, state]) => `-:${name}:${state}:/zones/${name}:u:bhyve:excl:0`);
    for (const reply of pending.splice(0)) reply(`${stdout.join('\n')}\n`);
  };
  return { exec, answer, lists: () => lists };
}

function service() {
  const dir = tempDir('observe');
  const db = openDatabase(join(dir, 'agent.db'));
  const host = slowHost();
  const layout = createLayout({
    pool: 'rpool',
    zonesDir: '/zones',
    hostRoot: dir,
    natSubnet: '10.213.0.0/16',
    externalLink: 'e1000g0',
  });
  // Listing reads the database and runs `zoneadm list`; it needs none of these.
  const unused = {} as ImageService & HostResources & OperationRunner;
  const vms = new VmService({
    db,
    log: silentLogger(),
    exec: host.exec,
    layout,
    images: unused,
    resources: unused,
    runner: unused,
    portRange: [40000, 49999],
    storage: 'zvol',
  });
  const now = new Date().toISOString();
  insertVm(db, {
    id: 'vm-1',
    envId: 'e',
    image: 'box',
    imageDigest: null,
    cpu: 1,
    mem: 256,
    disk: 1024,
    ports: '[22]',
    denyOutgoing: false,
    sshKeys: '[]',
    cloneMode: 'thin',
    specHash: 'h',
    state: 'creating',
    operationId: 'op_create',
    slot: 1,
    reserved: true,
    needsCleanup: false,
    createdAt: now,
    updatedAt: now,
  });
  return { db, vms, host };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('listing VMs while an operation finishes', () => {
  it('does not let a zone listing started before the boot mark the new VM stopped', async () => {
    const { db, vms, host } = service();
    // A listing starts while the create is still booting the zone (installed, on the host).
    const early = vms.list(10, 0);
    await tick();
    // The create finishes: running, no operation.
    setVmState(db, 'vm-1', 'running', null, { operationId: null });
    await tick();
    // A second listing joins the one in flight; the host answers what it saw before the boot.
    const late = vms.list(10, 0);
    host.answer([['vm-1', 'installed']]);
    expect((await early).items[0]?.state).toBe('creating');
    expect((await late).items[0]?.state).toBe('running');
    expect(host.lists()).toBe(1);
    expect(getVm(db, 'vm-1')?.state).toBe('running');
  });

  it('still notices a guest that powered off, from a listing started after the last change', async () => {
    const { db, vms, host } = service();
    setVmState(db, 'vm-1', 'running', null, { operationId: null });
    await tick();
    const listing = vms.list(10, 0);
    host.answer([['vm-1', 'installed']]);
    expect((await listing).items[0]?.state).toBe('stopped');
    expect(getVm(db, 'vm-1')?.state).toBe('stopped');
  });

  it('marks a VM whose zone is gone failed, never deleted', async () => {
    const { db, vms, host } = service();
    setVmState(db, 'vm-1', 'running', null, { operationId: null });
    await tick();
    const changed = vms.observeAll();
    host.answer([]);
    expect(await changed).toBe(1);
    expect(getVm(db, 'vm-1')).toMatchObject({ state: 'failed', errorCode: 'zone_missing' });
  });
});
