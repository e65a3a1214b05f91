#!/usr/bin/env node
// Benchmark: moving a VM between two simulated hosts (issue 15).
//
//   node scripts/bench/migrate.mjs [--size-mib 64] [--runs 3]
//
// Starts a real fleet (a controller and two agents on simulated hosts, through testkit, as the
// system tests do), writes --size-mib MiB of random data into a running VM's boot disk and moves
// it back and forth --runs times with `POST /v1/vms/{id}/migrate`. For each move it prints the
// wall time (accept to succeeded), the downtime the operation reports (stop to start), the
// bytes the copies sent and their rate over the wall time, and the transfer of the full copy
// alone: from the source agent's `zfs send` starting to the target agent's `zfs receive -s`
// exiting (both read from the agents' `host command` log lines), and its rate. As the
// baseline, measured in the same run between the same two simulated hosts, it pipes a bare
// `zfs send VOL@snap` on one host into `zfs receive -u` on the other (the simulator's own
// commands, no agent, no HTTP) and prints the full copy's time against it (the same disk, so
// the same stream: the ratio of the times is the ratio of the rates).
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

/** The `host command` log lines an agent printed since `since` (ms): when, argv, duration. */
function hostCommands(agent, since) {
  const out = [];
  for (const line of agent.process.output.split('\n')) {
    if (!line.includes('"host command"')) continue;
    try {
      const entry = JSON.parse(line);
      const at = Date.parse(entry.time);
      if (at >= since) out.push({ at, argv: entry.argv, ms: entry.duration_ms });
    } catch {}
  }
  return out;
}

/**
 * The first (full) copy of a move: from the source's `zfs send` (not `-nP`) starting to the
 * target's `zfs receive -s` exiting, in ms. Null when the logs do not show it.
 */
function fullCopyMs(from, to, since) {
  const send = hostCommands(from, since).find(
    (c) => c.argv[1] === 'send' && !c.argv.includes('-nP') && !c.argv.includes('-i'),
  );
  const receive = hostCommands(to, since).find(
    (c) => c.argv[1] === 'receive' && c.argv.includes('-s'),
  );
  return send && receive ? receive.at - (send.at - send.ms) : null;
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

    /** The baseline: the same disk, the same two simulated hosts, a bare pipe. */
    const bare = async () => {
      const there = fleet.agents.find((a) => a !== here);
      const vol = bootVolume(here, zone);
      execFileSync(join(bin, 'zfs'), ['snapshot', `${vol}@bench`], { env: env(here.simDir) });
      const pipe = await barePipe(here.simDir, `${vol}@bench`, there.simDir, 'rpool/bench-recv');
      execFileSync(join(bin, 'zfs'), ['destroy', '-r', 'rpool/bench-recv'], {
        env: env(there.simDir),
      });
      execFileSync(join(bin, 'zfs'), ['destroy', `${vol}@bench`], { env: env(here.simDir) });
      return pipe;
    };

    console.log(`moving a running VM with ${SIZE / MiB} MiB written on its disk, ${RUNS} times`);
    console.log('(each move followed by a bare zfs send | zfs receive of the same disk)\n');
    console.log(
      '  run      wall     downtime      copied   rate (wall)    full copy  rate (full copy)     bare pipe  rate (bare)  full/bare',
    );
    const ratios = [];
    for (let run = 1; run <= RUNS; run++) {
      const started = performance.now();
      const since = Date.now();
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
      const to = fleet.agents.find((a) => a.hostId === op.result.to_host);
      const copyMs = fullCopyMs(here, to, since);
      here = to;
      const pipe = await bare();
      if (copyMs !== null) ratios.push(pipe.ms / copyMs);
      console.log(
        [
          `  ${String(run).padStart(3)} ${fmt.ms(wall)} ${fmt.ms(op.result.downtime_ms)}`,
          `${(bytes / MiB).toFixed(1).padStart(7)} MiB ${fmt.rate(bytes, wall)}`,
          copyMs === null
            ? '          ?                '
            : `${fmt.ms(copyMs)} ${fmt.rate(SIZE, copyMs)}`,
          `    ${fmt.ms(pipe.ms)} ${fmt.rate(SIZE, pipe.ms)}`,
          copyMs === null ? '' : `     ${(pipe.ms / copyMs).toFixed(2)}`,
        ].join(' '),
      );
    }
    console.log(
      `\nrates are of the ${SIZE / MiB} MiB written (the simulator's stream is ~4/3 of it: base64).`,
    );
    if (ratios.length > 0) {
      const median = ratios.sort((x, y) => x - y)[Math.floor(ratios.length / 2)];
      console.log(
        `full copy through the agents / bare pipe, median of ${ratios.length}: ${median.toFixed(2)}`,
      );
    }
    await c.call('DELETE', '/v1/envs/bench');
  } finally {
    await fleet.destroy();
  }
}

await main();
