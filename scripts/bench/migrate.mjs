#!/usr/bin/env node
// Benchmark: moving a VM between two simulated hosts (issue 15).
//
//   node scripts/bench/migrate.mjs [--size-mib 64] [--runs 3]
//
// Starts a real fleet (a controller and two agents on simulated hosts, through testkit, as the
// system tests do), writes --size-mib MiB of random data into a running VM's boot disk and moves
// it back and forth --runs times with `POST /v1/vms/{id}/migrate`. For each move it prints the
// wall time (accept to succeeded), the downtime the operation reports (stop to start) and the
// transfer rate (bytes the copies sent / wall time). As the baseline, measured in the same run
// between the same two simulated hosts, it pipes a bare `zfs send VOL@snap` on one host into
// `zfs receive -u` on the other (the simulator's own commands, no agent, no HTTP).
// Needs `pnpm build` first.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIM_CLI = join(repo, 'packages/illumos-sim/bin/apiary-sim.js');
const load = (pkg) => import(new URL(`../../packages/${pkg}/dist/index.js`, import.meta.url).href);
const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '64' },
    runs: { type: 'string', default: '3' },
  },
});
const SIZE = Number(values['size-mib']) * 1024 * 1024;
const RUNS = Number(values.runs);

const testkit = await load('testkit').catch(() => {
  process.stderr.write('build first: pnpm build (testkit, illumos-sim, controller, agent)\n');
  process.exit(2);
});
const sim = await load('illumos-sim');
const bin = execFileSync(process.execPath, [SIM_CLI, 'bin-dir'], { encoding: 'utf8' }).trim();
const env = (root) => ({ ...process.env, ILLUMOS_SIM_ROOT: root });

const MiB = 1024 * 1024;
const fmt = {
  ms: (n) => `${Math.round(n).toString().padStart(7)} ms`,
  rate: (bytes, ms) => `${(bytes / MiB / (ms / 1000)).toFixed(1).padStart(8)} MiB/s`,
};

function bootVolume(agent, zone) {
  const name = Object.keys(sim.readState(agent.simDir).datasets).find((d) =>
    d.endsWith(`/apiary/vms/${zone}/disk0`),
  );
  if (!name) throw new Error(`no boot volume of ${zone} on ${agent.hostId}`);
  return name;
}

/** `zfs send SNAP` on one simulated host piped into `zfs receive -u TARGET` on the other. */
function barePipe(fromRoot, snap, toRoot, target) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const send = spawn(join(bin, 'zfs'), ['send', snap], { env: env(fromRoot) });
    const recv = spawn(join(bin, 'zfs'), ['receive', '-u', target], { env: env(toRoot) });
    let bytes = 0;
    send.stdout.on('data', (chunk) => {
      bytes += chunk.length;
    });
    send.stdout.pipe(recv.stdin);
    let stderr = '';
    for (const p of [send, recv]) p.stderr.on('data', (d) => (stderr += d));
    let exited = 0;
    const done = (code) => {
      if (code !== 0) reject(new Error(`bare pipe failed: ${stderr}`));
      else if (++exited === 2) resolve({ bytes, ms: performance.now() - started });
    };
    send.on('exit', done);
    recv.on('exit', done);
  });
}

async function main() {
  const fleet = await testkit.Fleet.start({
    agents: 2,
    controllerArgs: ['--heartbeat-interval-ms', '1000'],
    host: () => ({ cpus: 8, ram: '16G' }),
  });
  try {
    const c = fleet.controller;
    await testkit.uploadSampleImage(c.admin, 'alpine-cloud');
    const zonesBefore = new Set(fleet.agents.flatMap((a) => a.host().zones.map((z) => z.name)));
    const created = await c.call('POST', '/v1/envs', {
      id: 'bench',
      ssh_keys: [testkit.sshKey()],
      vms: [{ image: 'alpine-cloud', cpu: 1, mem: 1024, disk: Math.max(1024, 2 * (SIZE / MiB)) }],
    });
    if (created.status !== 202) throw new Error(`create: ${await created.text()}`);
    const vm = await testkit.waitFor(
      async () => {
        const v = await (await c.call('GET', '/v1/vms/bench-0')).json();
        return v.state === 'running' ? v : undefined;
      },
      { what: 'the VM to run', timeoutMs: 120_000 },
    );
    let here = fleet.agents.find((a) => a.hostId === vm.host_id);
    const zone = here
      .host()
      .zones.map((z) => z.name)
      .find((z) => z !== 'global' && !zonesBefore.has(z));
    sim.writeZvol(here.simDir, bootVolume(here, zone), randomBytes(SIZE));

    console.log(`moving a running VM with ${SIZE / MiB} MiB written on its disk, ${RUNS} times\n`);
    console.log('  run      wall     downtime      copied        rate');
    for (let run = 1; run <= RUNS; run++) {
      const started = performance.now();
      const res = await c.call('POST', '/v1/vms/bench-0/migrate', {});
      if (res.status !== 202) throw new Error(`migrate: ${await res.text()}`);
      const { operation } = await res.json();
      const op = await testkit.waitFor(
        async () => {
          const o = await (await c.call('GET', `/v1/operations/${operation.id}`)).json();
          return o.state === 'succeeded' || o.state === 'failed' ? o : undefined;
        },
        { what: 'the migration', timeoutMs: 600_000, intervalMs: 100 },
      );
      const wall = performance.now() - started;
      if (op.state !== 'succeeded') throw new Error(`migration failed: ${op.error?.msg}`);
      const bytes = op.progress?.bytes_sent ?? 0;
      console.log(
        `  ${String(run).padStart(3)} ${fmt.ms(wall)} ${fmt.ms(op.result.downtime_ms)} ${(bytes / MiB).toFixed(1).padStart(7)} MiB ${fmt.rate(bytes, wall)}`,
      );
      here = fleet.agents.find((a) => a.hostId === op.result.to_host);
    }

    // The baseline: the same disk, the same two simulated hosts, a bare pipe.
    const there = fleet.agents.find((a) => a !== here);
    const vol = bootVolume(here, zone);
    execFileSync(join(bin, 'zfs'), ['snapshot', `${vol}@bench`], { env: env(here.simDir) });
    const pipe = await barePipe(here.simDir, `${vol}@bench`, there.simDir, 'rpool/bench-recv');
    execFileSync(join(bin, 'zfs'), ['destroy', '-r', 'rpool/bench-recv'], {
      env: env(there.simDir),
    });
    execFileSync(join(bin, 'zfs'), ['destroy', `${vol}@bench`], { env: env(here.simDir) });
    console.log(
      `\nbare zfs send | zfs receive between the same hosts: ${fmt.ms(pipe.ms)} for ${(pipe.bytes / MiB).toFixed(1)} MiB, ${fmt.rate(pipe.bytes, pipe.ms)}`,
    );
    await c.call('DELETE', '/v1/envs/bench');
  } finally {
    await fleet.destroy();
  }
}

await main();
