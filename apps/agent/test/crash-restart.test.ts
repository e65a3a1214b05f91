import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  addFault,
  type CommandLogEntry,
  clearFaults,
  initHost,
  readCommandLog,
  readFaults,
  readState,
} from '@apiary/illumos-sim';
import type { Operation } from '@apiary/protocol';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, freePort, mintKey, startAgentProcess } from './helpers/agent-process.js';
import { filesUnder, type HostSnapshot, hostSnapshot } from './helpers/host-snapshot.js';
import { buildZfsImage } from './helpers/images.js';
import { simAgent } from './helpers/sim-agent.js';
import { tempDir } from './helpers/temp.js';

/*
 * kill -9 in the middle of a create (or of its undo, or of a delete), then the agent started
 * again on the same data dir and host. Every step of the create saga is idempotent and journaled
 * before it runs, so a create killed in a step resumes at that step: the VM must end running,
 * its operation succeeded, and the host exactly as after a create that was never interrupted.
 * A create killed while it was undoing a failed step must not resume forward over half-removed
 * steps: the undo finishes, the operation fails, and the host is as before the create. Either
 * way the agent's data dir keeps no staging file (the zonecfg command file above all).
 */

const image = buildZfsImage();
const ID = 'crash-0';
const KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop';
// deny_outgoing and a forwarded port: every step of the saga runs, egress included.
const CREATE = {
  id: ID,
  env_id: 'crash',
  image: 'box',
  ports: [80],
  deny_outgoing: true,
  ssh_keys: [KEY],
};
/** How long a hung command waits before it runs: the agent is killed during the wait. */
const HANG_MS = 1500;

type Proc = Awaited<ReturnType<typeof startAgentProcess>>;
let running: Proc[] = [];
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') for (const p of running) process.stderr.write(p.output());
  await Promise.all(running.map((p) => p.kill9()));
  running = [];
});

async function until<T>(fn: () => T | Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve()
      .then(fn)
      .catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A create never interrupted, on a host of its own: what the host of every resumed create must
 * look like. The zones' creation time is the one thing that differs from run to run.
 */
let reference: HostSnapshot;
beforeAll(async () => {
  const t = await simAgent();
  await t.api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  await t.api.createVm({ body: CREATE });
  await t.settle();
  expect((await t.api.getVm({ params: { id: ID } })).state).toBe('running');
  reference = comparable(hostSnapshot(t.simRoot));
  await t.agent.stop();
}, 120_000);

function comparable(snapshot: HostSnapshot): HostSnapshot {
  const zoneConfigs = Object.fromEntries(
    Object.entries(snapshot.zoneConfigs).map(([name, config]) => [
      name,
      {
        ...config,
        resources: config.resources.map((r) =>
          r.type === 'attr' && r.props.name === 'apiary-created-at'
            ? { ...r, props: { ...r.props, value: '(time)' } }
            : r,
        ),
      },
    ]),
  );
  return { ...snapshot, zoneConfigs };
}

/** A logged command as fault patterns see it: program basename, then its arguments. */
function commandLine(entry: CommandLogEntry): string {
  const argv = [...entry.argv];
  while (argv[0]?.endsWith('pfexec')) argv.shift();
  const program = (argv[0] ?? '').slice((argv[0] ?? '').lastIndexOf('/') + 1);
  return [program, ...argv.slice(1)].join(' ');
}

/** How many commands starting with `prefix` the host has finished. */
function finished(simRoot: string, prefix: string): number {
  return readCommandLog(simRoot).filter((e) => commandLine(e).startsWith(prefix)).length;
}

/**
 * The commands that take a VM's pieces apart (the create's undo). A create that resumed at its
 * step runs none of them; one that failed on resume, was undone and then retried from scratch
 * ends just as running, so this is what tells a resume from an undo and retry.
 */
const UNDO_COMMAND = new RegExp(
  `^(zfs destroy|dladm delete-vnic|zonecfg -z ${ID} delete|zoneadm -z ${ID} (uninstall|halt)|ipnat -r|ipf -G -Fa ${ID}$)`,
);

function undoCommandsSince(simRoot: string, mark: number): string[] {
  return readCommandLog(simRoot)
    .slice(mark)
    .map(commandLine)
    .filter((c) => UNDO_COMMAND.test(c));
}

/** A simulated host with the image imported and an agent process on it. */
async function crashHost(prefix: string) {
  const dir = tempDir(prefix);
  const simRoot = join(dir, 'host');
  const dataDir = join(dir, 'data');
  initHost(simRoot, {});
  // The simulated bhyve fails before `zoneadm boot` returns: a long boot settle buys nothing.
  const args = ['--data-dir', dataDir, '--sim', simRoot, '--boot-settle-ms', '50'];
  const port = await freePort();
  const first = await startAgentProcess(args, port);
  running.push(first);
  const api = clientFor(port, mintKey(dataDir));
  await api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  const h = {
    simRoot,
    dataDir,
    api,
    agent: first,
    /** The host and the data dir's files before any VM. */
    baseline: hostSnapshot(simRoot),
    dataFiles: filesUnder(dataDir),
    async restart() {
      h.agent = await startAgentProcess(args, port);
      running.push(h.agent);
    },
    operation: (id: string) => api.getOperation({ params: { id } }),
    settled: (id: string) =>
      until(
        () => api.getOperation({ params: { id } }),
        (op) => op.state === 'succeeded' || op.state === 'failed',
      ),
    async deleteAndCheck() {
      await api.deleteVm({ params: { id: ID } });
      await until(
        () =>
          api.getVm({ params: { id: ID } }).then(
            () => 'present',
            (e) => (e.status === 404 ? 'gone' : 'error'),
          ),
        (s) => s === 'gone',
      );
      expect(hostSnapshot(simRoot)).toEqual(h.baseline);
      expect(filesUnder(dataDir)).toEqual(h.dataFiles);
    },
  };
  return h;
}

type CrashHost = Awaited<ReturnType<typeof crashHost>>;

/** How the agent is held inside a step long enough to be killed there. */
interface Stall {
  arm(h: CrashHost): Promise<void>;
  /** The kill -9 (of the agent alone unless said otherwise). */
  kill?(h: CrashHost): Promise<void>;
  /** True once the agent is inside the stalled work. */
  stalled(h: CrashHost): boolean;
  /** What happens on the host between the kill and the restart. */
  whileDown(h: CrashHost): Promise<void>;
  /** Wait until nothing the kill orphaned still runs. */
  drained(h: CrashHost): Promise<void>;
}

/**
 * The command starting with `command` hangs, and the agent is killed while it waits. The
 * orphaned command then runs on its own: with `restart: 'after-orphan'` the agent comes back
 * once it finished, with `'at-once'` while it still waits. With `'orphan-killed'` the command
 * dies with the agent (as under SMF, which kills the service's contract): it never runs, and
 * the restarted agent runs it exactly once.
 */
function hangingCommand(
  command: string,
  restart: 'after-orphan' | 'at-once' | 'orphan-killed',
  hangMs = HANG_MS,
) {
  let faultId = '';
  let before = 0;
  /** Wait until `runs` commands like it finished since the fault was set. */
  const ran = (h: CrashHost, runs: number) =>
    until(
      () => finished(h.simRoot, command),
      (n) => n >= before + runs,
    );
  const stall: Stall = {
    async arm(h) {
      before = finished(h.simRoot, command);
      faultId = (await addFault(h.simRoot, { match: `${command}*`, count: 1, hang_ms: hangMs })).id;
    },
    // The fault is taken when the command starts, before it sleeps.
    stalled: (h) => !readFaults(h.simRoot).some((f) => f.id === faultId),
    kill: (h) => (restart === 'orphan-killed' ? h.agent.killGroup() : h.agent.kill9()),
    async whileDown(h) {
      // The kill landed while the command waited, not after it had run.
      expect(finished(h.simRoot, command)).toBe(before);
      if (restart === 'after-orphan') await ran(h, 1);
    },
    async drained(h) {
      if (restart === 'orphan-killed') {
        expect(finished(h.simRoot, command)).toBe(before + 1);
        return;
      }
      if (restart === 'at-once') {
        // The restarted agent ran the command first and it worked; the orphan came after it
        // (and found nothing to do).
        await ran(h, 2);
        const runs = readCommandLog(h.simRoot).filter((e) => commandLine(e).startsWith(command));
        expect(runs.slice(before).map((e) => e.exit_code !== 0)).toEqual([false, true]);
      }
    },
  };
  return stall;
}

/**
 * The cloud-init step runs no command: its user-data path is a FIFO, so writing it blocks until
 * the agent is killed. Then the FIFO is replaced by what a kill in the middle of the write
 * leaves, a torn file: the resumed step must write the whole file again.
 */
const tornUserData: Stall = {
  async arm(h) {
    const path = userDataPath(h);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    execFileSync('mkfifo', ['-m', '600', path]);
  },
  stalled: () => true,
  async whileDown(h) {
    rmSync(userDataPath(h));
    writeFileSync(userDataPath(h), '#cloud-config\nhostname: cra', { mode: 0o600 });
  },
  async drained() {},
};

function userDataPath(h: CrashHost): string {
  return join(h.simRoot, 'root', 'var', 'apiary', 'cloud-init', ID, 'user-data');
}

/**
 * Start a create, kill -9 the agent once it is stalled in `step`, and start it again. Returns
 * the settled operation and the undo commands the restarted agent ran.
 */
async function killDuring(
  h: CrashHost,
  step: string,
  stall: Stall,
): Promise<{ done: Operation; undone: string[] }> {
  await stall.arm(h);
  const { operation } = await h.api.createVm({ body: CREATE });
  await until(
    () => h.operation(operation.id),
    (op) => op.step === step && stall.stalled(h),
  );
  // Killed inside the step the journal names (checked just above, with the agent still up).
  await (stall.kill ? stall.kill(h) : h.agent.kill9());
  await stall.whileDown(h);
  const mark = readCommandLog(h.simRoot).length;
  await h.restart();
  const done = await h.settled(operation.id);
  await stall.drained(h);
  return { done, undone: undoCommandsSince(h.simRoot, mark) };
}

/**
 * The create resumed at its step (nothing was undone and tried again): the VM runs, and the host
 * is exactly as after an uninterrupted create.
 */
async function expectResumed(
  h: CrashHost,
  { done, undone }: { done: Operation; undone: string[] },
) {
  expect(done).toMatchObject({ state: 'succeeded', error: null });
  expect(undone).toEqual([]);
  const vm = await h.api.getVm({ params: { id: ID } });
  expect(vm).toMatchObject({
    state: 'running',
    error: null,
    ip: '10.213.0.2',
    port_map: { '22': 40000, '80': 40001 },
  });
  expect(comparable(hostSnapshot(h.simRoot))).toEqual(reference);
  // No zonecfg command file or other staging file outlives the crash.
  expect(filesUnder(h.dataDir)).toEqual(h.dataFiles);
}

describe('kill -9 in a step of a create, then restart: the create resumes there', () => {
  const cases: Array<[string, string, () => Stall]> = [
    ['disk', 'while cloning the disk', () => hangingCommand('zfs clone ', 'after-orphan')],
    [
      'vnic',
      'while creating the network link',
      () => hangingCommand('dladm create-vnic ', 'after-orphan'),
    ],
    ['cloud-init', 'while writing the cloud-init user-data (torn file)', () => tornUserData],
    [
      'zonecfg',
      'while configuring the zone (the command file must not be left behind)',
      () => hangingCommand(`zonecfg -z ${ID} -f `, 'after-orphan'),
    ],
    [
      'zonecfg',
      'while configuring the zone, the service killed with its zonecfg (SMF kills the contract)',
      () => hangingCommand(`zonecfg -z ${ID} -f `, 'orphan-killed'),
    ],
    [
      'install',
      'while the zone installs (the orphaned zoneadm finishes while the agent is down)',
      () => hangingCommand(`zoneadm -z ${ID} install`, 'after-orphan'),
    ],
    [
      'install',
      'while the zone installs, restarting at once (the orphaned zoneadm still runs)',
      // Long enough that the restarted agent gets to its own install first, even on a busy host.
      () => hangingCommand(`zoneadm -z ${ID} install`, 'at-once', 8000),
    ],
    ['boot', 'while booting', () => hangingCommand(`zoneadm -z ${ID} boot`, 'after-orphan')],
    [
      'egress',
      'while enabling the egress filter',
      () => hangingCommand(`ipf -GE ${ID}`, 'after-orphan'),
    ],
    ['ports', 'while adding port forwards', () => hangingCommand('ipnat -f -', 'after-orphan')],
  ];
  for (const [step, name, stall] of cases) {
    it(name, async () => {
      const h = await crashHost('crash');
      await expectResumed(h, await killDuring(h, step, stall()));
      await h.deleteAndCheck();
      await h.agent.stop();
    }, 240_000);
  }
});

/** The create was undone: the VM failed with its reservations released, the host as before. */
async function expectUndone(h: CrashHost, done: Operation, reason: string) {
  expect(done.state).toBe('failed');
  expect(done.error?.msg).toContain(reason);
  const vm = await h.api.getVm({ params: { id: ID } });
  expect(vm).toMatchObject({ state: 'failed', ip: null, port_map: {} });
  expect(vm.error?.msg).toContain(reason);
  expect((await h.api.info()).resources.used.cpu).toBe(0);
  expect(hostSnapshot(h.simRoot)).toEqual(h.baseline);
  expect(filesUnder(h.dataDir)).toEqual(h.dataFiles);
}

describe('kill -9 while a failed create is being undone, then restart', () => {
  it('finishes the undo instead of resuming the half-removed create (egress rules flushed)', async () => {
    const h = await crashHost('crashundo');
    // The last step fails; its undo runs the steps back, and hangs flushing the egress rules.
    await addFault(h.simRoot, {
      match: 'ipnat -f -',
      count: 1,
      exit_code: 1,
      stderr: 'ipnat: simulated failure\n',
    });
    const { done } = await killDuring(
      h,
      'undo:egress',
      hangingCommand(`ipf -G -Fa ${ID}`, 'after-orphan'),
    );
    await expectUndone(h, done, 'ports: ipnat -f: ipnat: simulated failure');
    await h.deleteAndCheck();
    await h.agent.stop();
  }, 240_000);
});

describe('kill -9 during a create, then a restart that fails before the first step', () => {
  /**
   * The agent comes back on a host whose links cannot be listed, so the resumed create fails
   * before its first step: what it had done (and what the orphaned command did while the agent
   * was down) is undone, not forgotten with the reservations released; the zonecfg command file
   * of the killed agent goes with the zonecfg undo.
   */
  const cases: Array<[string, string, string, string]> = [
    [
      'install',
      'the install that finished while the agent was down',
      `zoneadm -z ${ID} install`,
      'installed',
    ],
    [
      'zonecfg',
      'the zone configured while the agent was down, and its command file',
      `zonecfg -z ${ID} -f `,
      'configured',
    ],
  ];
  for (const [step, name, command, zoneState] of cases) {
    it(`undoes what the interrupted create had done (${name})`, async () => {
      const h = await crashHost('crashfail');
      const stall = hangingCommand(command, 'after-orphan');
      const whileDown = stall.whileDown;
      stall.whileDown = async (host) => {
        await whileDown(host);
        expect(readState(host.simRoot).zones.find((z) => z.name === ID)?.state).toBe(zoneState);
        await addFault(host.simRoot, {
          match: 'dladm show-link *',
          count: null,
          stderr: 'dladm: busy\n',
        });
      };
      const { done } = await killDuring(h, step, stall);
      await expectUndone(h, done, 'dladm show-link');
      await clearFaults(h.simRoot);
      await h.deleteAndCheck();
      await h.agent.stop();
    }, 240_000);
  }
});

describe('kill -9 during a delete, then restart', () => {
  it('finishes the delete and leaves the host as before', async () => {
    const h = await crashHost('crashdel');
    const { operation: create } = await h.api.createVm({ body: CREATE });
    expect(await h.settled(create.id)).toMatchObject({ state: 'succeeded' });
    const stall = hangingCommand(`zoneadm -z ${ID} uninstall -F`, 'after-orphan');
    await stall.arm(h);
    const { operation } = await h.api.deleteVm({ params: { id: ID } });
    await until(
      () => h.operation(operation.id),
      (op) => op.step === 'undo:install' && stall.stalled(h),
    );
    await h.agent.kill9();
    await stall.whileDown(h);
    await h.restart();
    expect(await h.settled(operation.id)).toMatchObject({ state: 'succeeded', error: null });
    expect((await h.api.getVm({ params: { id: ID } }).catch((e) => e)).status).toBe(404);
    expect(hostSnapshot(h.simRoot)).toEqual(h.baseline);
    expect(filesUnder(h.dataDir)).toEqual(h.dataFiles);
    await h.agent.stop();
  }, 240_000);
});
