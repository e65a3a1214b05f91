import { addFault, readFaults } from '@apiary/illumos-sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { distinctPatterns } from './helpers/fault-patterns.js';
import { hostSnapshot } from './helpers/host-snapshot.js';
import { buildZfsImage } from './helpers/images.js';
import { type SimAgent, simAgent } from './helpers/sim-agent.js';

/*
 * Fault injection at every step of create: the commands of a clean create are read from the
 * simulator's log, then each one is made to fail once. The VM must end `running` (retried) or
 * `failed`, and the host must hold nothing that was not there before.
 */

const image = buildZfsImage();
const ID = 'faulty-0';
const CREATE = {
  id: ID,
  env_id: 'faulty',
  image: 'box',
  ports: [8080],
  deny_outgoing: true,
  ssh_keys: [],
};

async function prepared(createAttempts: number) {
  const t = await simAgent({ agent: { createAttempts } });
  await t.api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  return t;
}

/** The commands a clean create runs (and the host snapshot before it). */
async function referenceRun(t: SimAgent) {
  const baseline = hostSnapshot(t.simRoot);
  const mark = t.commands().length;
  await t.api.createVm({ body: CREATE });
  await t.settle();
  // Only what the create itself ran: read the log before anything else queries the host.
  const patterns = distinctPatterns(t.commands().slice(mark));
  expect((await t.api.getVm({ params: { id: ID } })).state).toBe('running');
  await t.api.deleteVm({ params: { id: ID } });
  await t.settle();
  expect(hostSnapshot(t.simRoot)).toEqual(baseline);
  return { baseline, patterns };
}

async function createWithFault(t: SimAgent, match: string, when: 'before' | 'after') {
  await addFault(t.simRoot, { match, count: 1, exit_code: 1, stderr: 'simulated failure\n', when });
  await t.api.createVm({ body: CREATE });
  await t.settle();
  const fired = !readFaults(t.simRoot).some((f) => f.match === match && (f.count ?? 1) > 0);
  const vm = await t.api.getVm({ params: { id: ID } });
  return { fired, vm };
}

async function removeVm(t: SimAgent) {
  await t.api.deleteVm({ params: { id: ID } });
  await t.settle();
  const gone = await t.api.getVm({ params: { id: ID } }).catch((e) => e.status);
  expect(gone).toBe(404);
}

describe('a command failing once during create, no retry: the VM fails and nothing leaks', async () => {
  let t: SimAgent;
  let ref: Awaited<ReturnType<typeof referenceRun>>;
  beforeAll(async () => {
    t = await prepared(1);
    ref = await referenceRun(t);
  });

  it('covers every command of a create', () => {
    // image, clone, volsize, vnic, zonecfg, install, boot, ipf x2, ipnat at least
    expect(ref.patterns.length).toBeGreaterThanOrEqual(9);
  });

  it('ends failed and leaves the host as it was, for each command', async () => {
    const outcomes: string[] = [];
    for (const match of ref.patterns) {
      const { fired, vm } = await createWithFault(t, match, 'before');
      expect(fired, match).toBe(true);
      expect(vm.state, match).toBe('failed');
      expect(vm.error?.msg, match).toBeTruthy();
      expect(hostSnapshot(t.simRoot), match).toEqual(ref.baseline);
      outcomes.push(`${match} -> ${vm.error?.code}`);
      await removeVm(t);
    }
    expect(outcomes).toHaveLength(ref.patterns.length);
  }, 300_000);
});

describe('a command failing once during create, with retry: the VM ends running and nothing leaks', async () => {
  let t: SimAgent;
  let ref: Awaited<ReturnType<typeof referenceRun>>;
  beforeAll(async () => {
    t = await prepared(2);
    ref = await referenceRun(t);
  });

  it('retries after a full undo and succeeds, for each command', async () => {
    for (const match of ref.patterns) {
      const { fired, vm } = await createWithFault(t, match, 'before');
      expect(fired, match).toBe(true);
      expect(vm.state, match).toBe('running');
      await removeVm(t);
      expect(hostSnapshot(t.simRoot), match).toEqual(ref.baseline);
    }
  }, 300_000);

  it('survives commands whose success was lost (ran, then reported failure)', async () => {
    for (const match of ref.patterns) {
      const { fired, vm } = await createWithFault(t, match, 'after');
      expect(fired, match).toBe(true);
      expect(['running', 'failed'], match).toContain(vm.state);
      await removeVm(t);
      expect(hostSnapshot(t.simRoot), match).toEqual(ref.baseline);
    }
  }, 300_000);
});

describe('an undo that keeps failing', async () => {
  let t: SimAgent;
  let baseline: ReturnType<typeof hostSnapshot>;
  beforeAll(async () => {
    t = await prepared(1);
    baseline = hostSnapshot(t.simRoot);
  });

  it('keeps the VM marked for cleanup with its reservations, then finishes the cleanup later', async () => {
    await addFault(t.simRoot, {
      match: `zoneadm -z ${ID} boot`,
      count: 1,
      exit_code: 1,
      stderr: 'boot failed\n',
    });
    // The undo retries each step 4 times: make uninstall fail all of them.
    await addFault(t.simRoot, {
      match: `zoneadm -z ${ID} uninstall -F`,
      count: 4,
      exit_code: 1,
      stderr: 'busy\n',
    });
    await t.api.createVm({ body: CREATE });
    await t.settle();
    const vm = await t.api.getVm({ params: { id: ID } });
    expect(vm.state).toBe('failed');
    // What could not be removed is still reserved (capacity, address, ports).
    expect(vm.ip).toBe('10.213.0.2');
    expect(vm.port_map).toEqual({ '22': 40000, '8080': 40001 });
    expect((await t.api.info()).resources.used.cpu).toBe(2);
    expect(hostSnapshot(t.simRoot).zones).toEqual([`${ID}:installed`]);

    const { retryCleanups } = await import('../src/vms/reconcile.js');
    await retryCleanups({
      db: t.agent.db,
      exec: t.agent.exec,
      log: t.agent.deps.log,
      layout: t.agent.deps.layout,
      runner: t.agent.runner,
    });
    const after = await t.api.getVm({ params: { id: ID } });
    expect(after).toMatchObject({ state: 'failed', ip: null, port_map: {} });
    expect((await t.api.info()).resources.used.cpu).toBe(0);
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
  }, 120_000);
});
