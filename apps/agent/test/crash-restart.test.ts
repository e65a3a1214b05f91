import { join } from 'node:path';
import { addFault, clearFaults, initHost, readState } from '@apiary/illumos-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { clientFor, freePort, mintKey, startAgentProcess } from './helpers/agent-process.js';
import { hostSnapshot } from './helpers/host-snapshot.js';
import { buildZfsImage } from './helpers/images.js';
import { tempDir } from './helpers/temp.js';

/*
 * kill -9 in the middle of a create, then start the agent again on the same data dir and host:
 * the interrupted saga is resumed (or undone), there is exactly one zone, and after a delete
 * the host holds nothing that was not there before.
 */

const image = buildZfsImage();
type Proc = Awaited<ReturnType<typeof startAgentProcess>>;
let running: Proc[] = [];
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') for (const p of running) process.stderr.write(p.output());
  await Promise.all(running.map((p) => p.kill9()));
  running = [];
});

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function crashDuring(step: string, match: string, pauseAfterKillMs: number) {
  const dir = tempDir('crash');
  const simRoot = join(dir, 'host');
  const dataDir = join(dir, 'data');
  initHost(simRoot, {});
  const args = ['--data-dir', dataDir, '--sim', simRoot];
  const port = await freePort();
  let agent = await startAgentProcess(args, port);
  running.push(agent);
  const api = clientFor(port, mintKey(dataDir));
  await api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  const baseline = hostSnapshot(simRoot);

  // The command of interest hangs long enough to kill the agent while it waits on it.
  await addFault(simRoot, { match, count: 1, hang_ms: 1500 });
  const { operation } = await api.createVm({
    body: { id: 'crash-0', env_id: 'crash', image: 'box', ports: [80] },
  });
  await until(
    () => api.getOperation({ params: { id: operation.id } }),
    (op) => op.step === step,
  );
  await new Promise((r) => setTimeout(r, 300));
  await agent.kill9();
  await new Promise((r) => setTimeout(r, pauseAfterKillMs));

  agent = await startAgentProcess(args, port);
  running.push(agent);
  const done = await until(
    () => api.getOperation({ params: { id: operation.id } }),
    (op) => op.state === 'succeeded' || op.state === 'failed',
  );
  const vm = await api.getVm({ params: { id: 'crash-0' } });
  expect(['running', 'failed']).toContain(vm.state);
  expect(done.state === 'succeeded').toBe(vm.state === 'running');
  // No duplicate: one zone, one disk, one VNIC, one set of forwards.
  const state = readState(simRoot);
  expect(state.zones.filter((z) => z.name === 'crash-0').length).toBe(
    vm.state === 'running' ? 1 : 0,
  );
  expect(
    state.links.filter(
      (l) => l.class === 'vnic' && l.name.startsWith('apiary') && l.name !== 'apiarygw0',
    ).length,
  ).toBe(vm.state === 'running' ? 1 : 0);
  expect(state.ipfilter.global.nat.filter((r) => r.startsWith('rdr')).length).toBe(
    vm.state === 'running' ? 2 : 0,
  );
  if (vm.state === 'running') expect(vm.port_map).toEqual({ '22': 40000, '80': 40001 });

  await api.deleteVm({ params: { id: 'crash-0' } });
  await until(
    () =>
      api.getVm({ params: { id: 'crash-0' } }).then(
        () => 'present',
        (e) => (e.status === 404 ? 'gone' : 'error'),
      ),
    (s) => s === 'gone',
  );
  expect(hostSnapshot(simRoot)).toEqual(baseline);
  await agent.stop();
  return vm.state;
}

async function crashDuringDelete() {
  const dir = tempDir('crashdel');
  const simRoot = join(dir, 'host');
  const dataDir = join(dir, 'data');
  initHost(simRoot, {});
  const args = ['--data-dir', dataDir, '--sim', simRoot];
  const port = await freePort();
  let agent = await startAgentProcess(args, port);
  running.push(agent);
  const api = clientFor(port, mintKey(dataDir));
  await api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  const baseline = hostSnapshot(simRoot);
  const { operation: create } = await api.createVm({
    body: { id: 'gone-0', env_id: 'gone', image: 'box' },
  });
  await until(
    () => api.getOperation({ params: { id: create.id } }),
    (op) => op.state === 'succeeded',
  );
  await addFault(simRoot, { match: 'zoneadm -z gone-0 uninstall -F', count: 1, hang_ms: 1500 });
  const { operation } = await api.deleteVm({ params: { id: 'gone-0' } });
  await until(
    () => api.getOperation({ params: { id: operation.id } }),
    (op) => op.step === 'undo:install',
  );
  await new Promise((r) => setTimeout(r, 300));
  await agent.kill9();
  agent = await startAgentProcess(args, port);
  running.push(agent);
  const done = await until(
    () => api.getOperation({ params: { id: operation.id } }),
    (op) => op.state === 'succeeded' || op.state === 'failed',
  );
  expect(done.state).toBe('succeeded');
  expect((await api.getVm({ params: { id: 'gone-0' } }).catch((e) => e)).status).toBe(404);
  expect(hostSnapshot(simRoot)).toEqual(baseline);
  await agent.stop();
}

describe('kill -9 during a create, then restart', () => {
  it('while cloning the disk', async () => {
    await crashDuring('disk', 'zfs clone *', 2000);
  }, 240_000);

  it('while the zone installs (the orphaned zoneadm finishes while the agent is down)', async () => {
    await crashDuring('install', 'zoneadm -z crash-0 install', 2000);
  }, 240_000);

  it('while the zone installs, restarting at once (the orphaned zoneadm still runs)', async () => {
    await crashDuring('install', 'zoneadm -z crash-0 install', 0);
  }, 240_000);

  it('while booting', async () => {
    await crashDuring('boot', 'zoneadm -z crash-0 boot', 2000);
  }, 240_000);

  it('while adding port forwards', async () => {
    await crashDuring('ports', 'ipnat -f -', 2000);
  }, 240_000);
});

/**
 * kill -9 while the zone installs; the agent comes back on a host whose links cannot be listed,
 * so the resumed create fails before its first step: what it had done (and the install that
 * finished while the agent was down) is undone, not forgotten with the reservations released.
 */
async function crashThenFailBeforeSteps() {
  const dir = tempDir('crashfail');
  const simRoot = join(dir, 'host');
  const dataDir = join(dir, 'data');
  initHost(simRoot, {});
  const args = ['--data-dir', dataDir, '--sim', simRoot];
  const port = await freePort();
  let agent = await startAgentProcess(args, port);
  running.push(agent);
  const api = clientFor(port, mintKey(dataDir));
  await api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  const baseline = hostSnapshot(simRoot);
  await addFault(simRoot, { match: 'zoneadm -z undo-0 install', count: 1, hang_ms: 1500 });
  const { operation } = await api.createVm({
    body: { id: 'undo-0', env_id: 'undo', image: 'box', ports: [80] },
  });
  await until(
    () => api.getOperation({ params: { id: operation.id } }),
    (op) => op.step === 'install',
  );
  await new Promise((r) => setTimeout(r, 300));
  await agent.kill9();
  // The orphaned install finishes while the agent is down.
  await until(
    async () => readState(simRoot).zones.find((z) => z.name === 'undo-0')?.state,
    (state) => state === 'installed',
  );
  await addFault(simRoot, { match: 'dladm show-link *', count: null, stderr: 'dladm: busy\n' });
  agent = await startAgentProcess(args, port);
  running.push(agent);
  const done = await until(
    () => api.getOperation({ params: { id: operation.id } }),
    (op) => op.state === 'succeeded' || op.state === 'failed',
  );
  expect(done.state).toBe('failed');
  expect(done.error?.msg).toContain('dladm show-link');
  const vm = await api.getVm({ params: { id: 'undo-0' } });
  expect(vm).toMatchObject({ state: 'failed', ip: null, port_map: {} });
  expect(hostSnapshot(simRoot)).toEqual(baseline);
  await clearFaults(simRoot);
  await api.deleteVm({ params: { id: 'undo-0' } });
  await until(
    () =>
      api.getVm({ params: { id: 'undo-0' } }).then(
        () => 'present',
        (e) => (e.status === 404 ? 'gone' : 'error'),
      ),
    (s) => s === 'gone',
  );
  expect(hostSnapshot(simRoot)).toEqual(baseline);
  await agent.stop();
}

describe('kill -9 during a create, then a restart that fails before the first step', () => {
  it('undoes what the interrupted create had done', async () => {
    await crashThenFailBeforeSteps();
  }, 240_000);
});

describe('kill -9 during a delete, then restart', () => {
  it('finishes the delete and leaves the host as before', async () => {
    await crashDuringDelete();
  }, 240_000);
});
