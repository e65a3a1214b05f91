import { join } from 'node:path';
import {
  addFault,
  type CommandLogEntry,
  initHost,
  readCommandLog,
  readFaults,
} from '@apiary/illumos-sim';
import type { Operation } from '@apiary/protocol';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, freePort, mintKey, startAgentProcess } from './helpers/agent-process.js';
import { type HostSnapshot, hostSnapshot } from './helpers/host-snapshot.js';
import { buildZfsImage } from './helpers/images.js';
import { simAgent } from './helpers/sim-agent.js';
import { tempDir } from './helpers/temp.js';

/*
 * kill -9 of the agent in the middle of a resize and of a snapshot rollback, in each of their
 * steps, then the agent started again on the same data dir and host. Every step is journaled
 * before it runs and is idempotent, so the change resumes where it was: it ends succeeded and
 * the host is exactly as after the same change never interrupted. The command the agent waited
 * on either dies with it (as under SMF) or finishes while it is down.
 */

const image = buildZfsImage();
const ID = 'cr';
const HANG_MS = 1500;

interface Scenario {
  name: string;
  prepare(api: Api): Promise<void>;
  change(api: Api): Promise<{ operation: Operation }>;
  /** Commands (prefixes) the change runs, one per step it is killed in. */
  kills: string[];
}

type Api = ReturnType<typeof clientFor>;

async function settled(api: Api, id: string): Promise<Operation> {
  return until(
    () => api.getOperation({ params: { id } }),
    (op) => op.state === 'succeeded' || op.state === 'failed',
  );
}

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

async function call(api: Api, accepted: Promise<{ operation: Operation }>) {
  const { operation } = await accepted;
  const done = await settled(api, operation.id);
  expect(done.state, done.error?.msg).toBe('succeeded');
}

const SCENARIOS: Scenario[] = [
  {
    name: 'resize (cpu, boot disk, forwards)',
    async prepare(api) {
      await call(
        api,
        api.createVm({
          body: { id: ID, env_id: 'crash', image: 'box', cpu: 1, disk: 1024, ports: [80] },
        }),
      );
      await call(api, api.stopVm({ params: { id: ID } }));
    },
    change: (api) =>
      api.updateVm({ params: { id: ID }, body: { cpu: 2, disk: 2048, ports: [8080] } }),
    kills: ['zfs set volsize', `zonecfg -z ${ID} -f`, 'ipnat'],
  },
  {
    name: 'snapshot rollback (stopping the VM, a later snapshot and disk destroyed)',
    async prepare(api) {
      await call(
        api,
        api.createVm({ body: { id: ID, env_id: 'crash', image: 'box', cpu: 1, disk: 1024 } }),
      );
      await call(api, api.createSnapshot({ params: { id: ID }, body: { name: 's1' } }));
      await call(api, api.addDisk({ params: { id: ID }, body: { size: 1024 } }));
      await call(api, api.createSnapshot({ params: { id: ID }, body: { name: 's2' } }));
    },
    change: (api) =>
      api.rollbackSnapshot({
        params: { id: ID, name: 's1' },
        query: { stop: 'true', force: 'true' },
      }),
    kills: [`zoneadm -z ${ID} shutdown`, `zonecfg -z ${ID} -f`, 'zfs rollback', 'zfs destroy'],
  },
];

/** Comparable across hosts: creation time and generation differ, resource order means nothing. */
function comparable(s: HostSnapshot): HostSnapshot {
  const copy = JSON.parse(
    JSON.stringify(s).replace(
      /(apiary-(?:created-at|generation)","type":"string","value":")[^"]+/g,
      '$1X',
    ),
  ) as HostSnapshot;
  for (const config of Object.values(copy.zoneConfigs)) {
    config.resources.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return copy;
}

function commandLine(entry: CommandLogEntry): string {
  const argv = [...entry.argv];
  while (argv[0]?.endsWith('pfexec')) argv.shift();
  const program = (argv[0] ?? '').slice((argv[0] ?? '').lastIndexOf('/') + 1);
  return [program, ...argv.slice(1)].join(' ');
}

const finished = (simRoot: string, prefix: string) =>
  readCommandLog(simRoot).filter((e) => commandLine(e).startsWith(prefix)).length;

type Proc = Awaited<ReturnType<typeof startAgentProcess>>;
let running: Proc[] = [];
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') for (const p of running) process.stderr.write(p.output());
  await Promise.all(running.map((p) => p.kill9()));
  running = [];
});

/** The same change never interrupted, on a host of its own (in-process agent). */
async function referenceRun(s: Scenario): Promise<HostSnapshot> {
  const t = await simAgent();
  await t.api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  await s.prepare(t.api as unknown as Api);
  await call(t.api as unknown as Api, s.change(t.api as unknown as Api));
  const after = comparable(hostSnapshot(t.simRoot));
  await t.agent.stop();
  return after;
}

async function crashHost() {
  const dir = tempDir('vmchange-crash');
  const simRoot = join(dir, 'host');
  const dataDir = join(dir, 'data');
  initHost(simRoot, {});
  const args = ['--data-dir', dataDir, '--sim', simRoot, '--boot-settle-ms', '50'];
  const port = await freePort();
  let agent = await startAgentProcess(args, port);
  running.push(agent);
  const api = clientFor(port, mintKey(dataDir));
  await api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  return {
    simRoot,
    api,
    kill: (group: boolean) => (group ? agent.killGroup() : agent.kill9()),
    async restart() {
      agent = await startAgentProcess(args, port);
      running.push(agent);
    },
  };
}

describe.each(SCENARIOS)('kill -9 during $name', (s) => {
  let reference: HostSnapshot;
  beforeAll(async () => {
    reference = await referenceRun(s);
  }, 120_000);

  const cases = s.kills.flatMap((command) =>
    (['orphan killed', 'orphan finishes while down'] as const).map((mode) => ({ command, mode })),
  );
  it.each(cases)(
    'in `$command` ($mode): resumes, succeeds, host as never interrupted',
    async ({ command, mode }) => {
      const h = await crashHost();
      await s.prepare(h.api);
      const before = finished(h.simRoot, command);
      const fault = await addFault(h.simRoot, { match: `${command}*`, count: 1, hang_ms: HANG_MS });
      const { operation } = await s.change(h.api);
      // The fault is taken when the command starts, before it waits.
      await until(
        () => !readFaults(h.simRoot).some((f) => f.id === fault.id),
        (v) => v,
      );
      const killGroup = mode === 'orphan killed';
      await h.kill(killGroup);
      expect(finished(h.simRoot, command)).toBe(before);
      if (!killGroup)
        await until(
          () => finished(h.simRoot, command),
          (n) => n === before + 1,
        );
      await h.restart();
      const done = await settled(h.api, operation.id);
      expect(done.state, done.error?.msg).toBe('succeeded');
      expect(comparable(hostSnapshot(h.simRoot))).toEqual(reference);
    },
    120_000,
  );
});
