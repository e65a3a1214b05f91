import { addFault, clearFaults, readFaults } from '@apiary/illumos-sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { distinctPatterns } from './helpers/fault-patterns.js';
import { type HostSnapshot, hostSnapshot } from './helpers/host-snapshot.js';
import { buildZfsImage } from './helpers/images.js';
import { type SimAgent, simAgent } from './helpers/sim-agent.js';

/*
 * Fault injection at every step of every VM change (issue 13). For each change, a clean run
 * gives the commands it runs and the host before and after; then each command is made to fail
 * once, before it runs and after it ran (its success lost). Whatever the fault, the change ends
 * either done (the host as after a clean run) or failed and undone (the host as before, the VM
 * as it was, its reservations given back), and deleting the VM leaves the host as it was at
 * the start: no orphan volume, snapshot, zone attr, NAT rule or reservation.
 */

const image = buildZfsImage();
const ISO = Buffer.from('CD001 fault installer\n');
const ID = 'fv';
const COPY = 'fv-copy';

interface Change {
  name: string;
  /** The VM (and anything the change needs) as it is before the change. */
  prepare(t: SimAgent): Promise<void>;
  change(t: SimAgent): Promise<{ operation: { id: string } }>;
}

async function run(t: SimAgent, accepted: Promise<{ operation: { id: string } }>) {
  const { operation } = await accepted;
  await t.settle();
  return t.api.getOperation({ params: { id: operation.id } });
}

async function vmWith(
  t: SimAgent,
  opts: { stopped?: boolean; disks?: number; snapshots?: string[] },
) {
  await t.api.createVm({
    body: { id: ID, env_id: 'faults', image: 'box', cpu: 1, disk: 1024, ports: [8080] },
  });
  await t.settle();
  for (let i = 0; i < (opts.disks ?? 0); i++) {
    await run(t, t.api.addDisk({ params: { id: ID }, body: { size: 1024 } }));
  }
  for (const name of opts.snapshots ?? []) {
    await run(t, t.api.createSnapshot({ params: { id: ID }, body: { name } }));
  }
  if (opts.stopped) await run(t, t.api.stopVm({ params: { id: ID } }));
}

const CHANGES: Change[] = [
  {
    name: 'resize a stopped VM (cpu, mem, disk, forwards, egress)',
    prepare: (t) => vmWith(t, { stopped: true }),
    change: (t) =>
      t.api.updateVm({
        params: { id: ID },
        body: { cpu: 2, mem: 2048, disk: 2048, ports: [9090], deny_outgoing: true },
      }),
  },
  {
    name: 'resize a running VM with a restart',
    prepare: (t) => vmWith(t, {}),
    change: (t) =>
      t.api.updateVm({
        params: { id: ID },
        query: { restart: 'true' },
        body: { cpu: 2, disk: 2048, deny_outgoing: true },
      }),
  },
  {
    name: 'add a data disk',
    prepare: (t) => vmWith(t, { stopped: true, disks: 1 }),
    change: (t) => t.api.addDisk({ params: { id: ID }, body: { size: 2048 } }),
  },
  {
    name: 'remove a data disk',
    prepare: (t) => vmWith(t, { stopped: true, disks: 2 }),
    change: (t) => t.api.removeDisk({ params: { id: ID, n: 0 } }),
  },
  {
    name: 'attach a CD-ROM',
    prepare: (t) => vmWith(t, { stopped: true }),
    change: (t) => t.api.attachCdrom({ params: { id: ID }, body: { image: 'installer' } }),
  },
  {
    name: 'detach a CD-ROM',
    prepare: async (t) => {
      await vmWith(t, { stopped: true });
      await run(t, t.api.attachCdrom({ params: { id: ID }, body: { image: 'installer' } }));
    },
    change: (t) => t.api.detachCdrom({ params: { id: ID } }),
  },
  {
    name: 'snapshot all disks',
    prepare: (t) => vmWith(t, { disks: 1 }),
    change: (t) => t.api.createSnapshot({ params: { id: ID }, body: { name: 's1' } }),
  },
  {
    name: 'roll back (stopping the VM, destroying a later snapshot)',
    prepare: async (t) => {
      await vmWith(t, { disks: 1, snapshots: ['s1'] });
      await run(t, t.api.addDisk({ params: { id: ID }, body: { size: 1024 } }));
      await run(t, t.api.createSnapshot({ params: { id: ID }, body: { name: 's2' } }));
    },
    change: (t) =>
      t.api.rollbackSnapshot({
        params: { id: ID, name: 's1' },
        query: { stop: 'true', force: 'true' },
      }),
  },
  {
    name: 'delete a snapshot',
    prepare: (t) => vmWith(t, { stopped: true, disks: 1, snapshots: ['s1'] }),
    change: (t) => t.api.deleteSnapshot({ params: { id: ID, name: 's1' } }),
  },
  {
    name: 'clone a snapshot',
    prepare: (t) => vmWith(t, { stopped: true, disks: 1, snapshots: ['s1'] }),
    change: (t) => t.api.cloneSnapshot({ params: { id: ID, name: 's1' }, body: { id: COPY } }),
  },
];

/**
 * The host as comparable across runs: a zone's creation time and generation differ per VM, and
 * the order of a zone's resources means nothing to the bhyve brand (an undo that removes and
 * adds an attr back puts it last).
 */
function comparable(s: HostSnapshot): HostSnapshot {
  const copy = JSON.parse(
    JSON.stringify(s).replace(
      /(apiary-(?:created-at|generation)","type":"string","value":")[^"]+/g,
      '$1X',
    ),
  ) as HostSnapshot;
  for (const config of Object.values(copy.zoneConfigs)) {
    const key = (r: unknown) => JSON.stringify(r);
    config.resources.sort((a, b) => key(a).localeCompare(key(b)));
  }
  return copy;
}

async function machineOf(t: SimAgent) {
  const vm = await t.api.getVm({ params: { id: ID } });
  return {
    state: vm.state,
    cpu: vm.cpu,
    mem: vm.mem,
    disk: vm.disk,
    disks: vm.disks?.map((d) => [d.n, d.size]),
    cdrom: vm.cdrom,
    port_map: vm.port_map,
    deny_outgoing: vm.deny_outgoing,
  };
}

async function removeAll(t: SimAgent) {
  for (const id of [COPY, ID]) {
    const exists = await t.api.getVm({ params: { id } }).then(
      () => true,
      () => false,
    );
    if (exists) await run(t, t.api.deleteVm({ params: { id } }));
  }
}

let t: SimAgent;
let baseline: HostSnapshot;

beforeAll(async () => {
  t = await simAgent({ agent: { createAttempts: 1 } });
  await t.api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  await t.api.uploadImage({
    query: { name: 'installer', format: 'iso' },
    body: ISO,
    contentLength: ISO.length,
  });
  baseline = comparable(hostSnapshot(t.simRoot));
});

describe.each(CHANGES)('a command failing once while changing a VM: $name', (c) => {
  let before: HostSnapshot;
  let after: HostSnapshot;
  let patterns: string[];

  beforeAll(async () => {
    await c.prepare(t);
    before = comparable(hostSnapshot(t.simRoot));
    const mark = t.commands().length;
    const op = await run(t, c.change(t));
    expect(op.state, op.error?.msg).toBe('succeeded');
    patterns = distinctPatterns(t.commands().slice(mark));
    after = comparable(hostSnapshot(t.simRoot));
    expect(after).not.toEqual(before);
    await removeAll(t);
    expect(comparable(hostSnapshot(t.simRoot))).toEqual(baseline);
  }, 120_000);

  it.each(['before', 'after'] as const)(
    'ends done or undone, and leaves nothing behind (fault %s the command)',
    async (when) => {
      const outcomes: string[] = [];
      for (const match of patterns) {
        await c.prepare(t);
        const machine = await machineOf(t);
        const used = (await t.api.info()).resources.used;
        await addFault(t.simRoot, {
          match,
          count: 1,
          exit_code: 1,
          stderr: 'simulated failure\n',
          when,
        });
        const op = await run(t, c.change(t));
        const fired = !readFaults(t.simRoot).some((f) => f.match === match && (f.count ?? 1) > 0);
        await clearFaults(t.simRoot);
        expect(fired, match).toBe(true);
        const host = comparable(hostSnapshot(t.simRoot));
        if (op.state === 'succeeded') {
          expect(host, `${match}: done`).toEqual(after);
        } else {
          expect(op.error?.msg, match).toBeTruthy();
          expect(host, `${match}: undone (${op.error?.msg})`).toEqual(before);
          expect(await machineOf(t), `${match}: the VM as it was`).toEqual(machine);
          expect((await t.api.info()).resources.used, `${match}: reservations`).toEqual(used);
        }
        outcomes.push(`${match} -> ${op.state}`);
        await removeAll(t);
        expect(comparable(hostSnapshot(t.simRoot)), `${match}: after delete`).toEqual(baseline);
        expect((await t.api.info()).resources.used).toEqual({ cpu: 0, mem: 0, disk: 0 });
      }
      expect(outcomes.length).toBe(patterns.length);
    },
    600_000,
  );
});
