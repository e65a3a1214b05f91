#!/usr/bin/env node
// Benchmark: the agent's CPU cost of sampling usage (one `kstat -p` per interval) for 200 VMs.
//
//   node scripts/bench/stats.mjs [--vms 200] [--window 30] [--interval 1]
//
// A simulated host gets --vms running zones stamped as Apiary VMs (the agent adopts them), each
// with some CPU and network load. Then the real agent program runs on it twice, in this run:
// first with sampling off (--stats-interval 0), the baseline: the same process with the same
// 200 VMs, idle; then sampling every --interval seconds. Each time its CPU (user + system, from
// /proc/PID/stat, threads included, children excluded) is measured over --window seconds once
// it has started. The difference divided by the samples taken is the agent's CPU per sample,
// printed as a fraction of one core at the default interval (10 s).
//
// The agent runs the simulator's executables, as it runs /usr/bin/kstat on a real host: that is
// a separate process per sample, so its cost is the child's, not the agent's. The simulator's
// kstat is a Node.js program (far costlier than illumos's C kstat); its CPU is printed apart,
// for information only. Needs `pnpm build` first.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCommand, setLoad } from '@apiary/illumos-sim';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const AGENT = join(repo, 'apps/agent/dist/main.js');
const SIM_CLI = join(repo, 'packages/illumos-sim/bin/apiary-sim.js');
const { values } = parseArgs({
  options: {
    vms: { type: 'string', default: '200' },
    window: { type: 'string', default: '30' },
    interval: { type: 'string', default: '1' },
  },
});
const VMS = Number(values.vms);
const WINDOW_S = Number(values.window);
const INTERVAL_S = Number(values.interval);
const DEFAULT_INTERVAL_S = 10;
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

const work = mkdtempSync(join(tmpdir(), 'apiary-bench-stats-'));
const simRoot = join(work, 'host');
const dataDir = join(work, 'data');

async function freePort() {
  const s = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const { port } = s.address();
  s.close();
  return port;
}

async function sim(argv) {
  const r = await runCommand({ argv, root: simRoot });
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
}

/** Zones as the agent stamps them: the agent adopts them as its VMs when it starts. */
async function seedVms() {
  await sim(['dladm', 'create-etherstub', 'apiarystub0']);
  for (let i = 0; i < VMS; i++) {
    const id = `bench-${i}`;
    const slot = 10 + i;
    const vnic = `apiary${slot}n0`;
    const file = join(work, `${id}.zonecfg`);
    writeFileSync(
      file,
      [
        'create -b',
        `set zonepath=/zones/${id}`,
        'set brand=bhyve',
        'set autoboot=false',
        'set ip-type=exclusive',
        'add net',
        `set physical=${vnic}`,
        'end',
        ...[
          ['apiary-vm-id', id],
          ['apiary-env-id', 'bench'],
          ['apiary-cpu', '1'],
          ['apiary-mem', '256'],
          ['apiary-disk', '1024'],
          ['apiary-slot', String(slot)],
          ['apiary-ports', `22:${41000 + slot}`],
        ].flatMap(([name, value]) => [
          'add attr',
          `set name=${name}`,
          'set type=string',
          `set value=${value}`,
          'end',
        ]),
        '',
      ].join('\n'),
    );
    await sim(['dladm', 'create-vnic', '-l', 'apiarystub0', vnic]);
    await sim(['zonecfg', '-z', id, '-f', file]);
    await sim(['zoneadm', '-z', id, 'install']);
    await sim(['zoneadm', '-z', id, 'boot']);
    await setLoad(simRoot, id, { cpu: 0.05, netRx: 100_000, netTx: 50_000 });
  }
}

/** utime+stime of the process and of its reaped children, in seconds. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14-17 of proc(5), counted from after the command name (field 3 is index 0).
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  return { self: (utime + stime) / CLK_TCK, children: (cutime + cstime) / CLK_TCK };
}

const kstatCount = () =>
  readFileSync(join(simRoot, 'commands.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"argv":["kstat"')).length;

/** Run the agent with `--stats-interval`, measure it over the window, stop it. */
async function measure(statsInterval) {
  const port = await freePort();
  const agent = spawn(
    process.execPath,
    [
      AGENT,
      ...['--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--sim', simRoot],
      ...['--stats-interval', String(statsInterval), '--log-level', 'warn'],
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  agent.stdout.on('data', (d) => {
    out += d;
  });
  // Started: reconciled with the host, then listening (logged at info, so wait for the port).
  for (;;) {
    if (agent.exitCode !== null) throw new Error(`agent exited: ${out}`);
    const up = await fetch(`http://127.0.0.1:${port}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 2000));
  const before = cpuSeconds(agent.pid);
  const samplesBefore = kstatCount();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
  const after = cpuSeconds(agent.pid);
  const elapsed = (performance.now() - t0) / 1000;
  const samples = kstatCount() - samplesBefore;
  agent.kill('SIGTERM');
  await new Promise((r) => agent.once('exit', r));
  return {
    elapsed,
    samples,
    self: after.self - before.self,
    children: after.children - before.children,
  };
}

const pct = (x) => `${(x * 100).toFixed(3)}%`;

async function main() {
  execFileSync(process.execPath, [SIM_CLI, 'init', simRoot, '--cpus', '64', '--ram', '512G']);
  console.log(`seeding ${VMS} running VMs on a simulated host...`);
  await seedVms();

  const idle = await measure(0);
  const busy = await measure(INTERVAL_S);
  const idleRate = idle.self / idle.elapsed;
  const busyRate = busy.self / busy.elapsed;
  const perSample = busy.samples > 0 ? ((busyRate - idleRate) * busy.elapsed) / busy.samples : NaN;

  console.log(`\nagent CPU with ${VMS} VMs, ${WINDOW_S} s windows, same host, same run`);
  console.log(`  baseline (sampling off):   ${pct(idleRate)} of a core`);
  console.log(
    `  sampling every ${INTERVAL_S} s:      ${pct(busyRate)} of a core (${busy.samples} samples)`,
  );
  console.log(`  agent CPU per sample:      ${(perSample * 1000).toFixed(1)} ms`);
  console.log(
    `  at the default ${DEFAULT_INTERVAL_S} s interval: ${pct(perSample / DEFAULT_INTERVAL_S)} of a core (aim: under 1%)`,
  );
  console.log(
    `\n  (the simulator's kstat, a Node.js child process: ${((busy.children / Math.max(1, busy.samples)) * 1000).toFixed(0)} ms CPU per call; not the agent's cost, and illumos's C kstat is far cheaper)`,
  );
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
