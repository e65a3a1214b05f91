#!/usr/bin/env node
// Cost of one simulated illumos command against Node's own start-up, measured in the same run
// (the machine is shared and noisy: compare the medians, not absolute numbers).
//
//   node scripts/bench/sim-command.mjs [--runs N] [--zones N]
//
// Prints the median wall time of `node -e 0`, of the simulator's executables (`zoneadm list
// -cp`, `zfs list -Hp`, `dladm show-vnic -p -o ...`) on a host with --zones bhyve zones, and
// the per-call cost of the in-process entry (`runCommand`) for the same commands.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..', '..', 'packages', 'illumos-sim');
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '30' }, zones: { type: 'string', default: '50' } },
});
const runs = Number(values.runs);
const zoneCount = Number(values.zones);

const sim = await import(join(pkg, 'dist', 'index.js'));
const bin = join(pkg, 'bin');
const root = mkdtempSync(join(tmpdir(), 'sim-bench-'));
sim.initHost(root);

// A host with `zoneCount` installed bhyve zones, each with a zvol and a VNIC.
for (let i = 0; i < zoneCount; i++) {
  const name = `vm${i}`;
  const cfg = join(root, `${name}.cfg`);
  writeFileSync(
    cfg,
    `create -b\nset zonepath=/zones/${name}\nset brand=bhyve\nset ip-type=exclusive\nadd net\nset physical=${name}net0\nend\nadd device\nset match=/dev/zvol/rdsk/rpool/zones/${name}/disk0\nend\nadd attr\nset name=bootdisk\nset type=string\nset value=rpool/zones/${name}/disk0\nend\n`,
  );
  for (const argv of [
    ['zonecfg', '-z', name, '-f', cfg],
    ['zoneadm', '-z', name, 'install'],
    ['zfs', 'create', '-s', '-V', '10G', `rpool/zones/${name}/disk0`],
    ['dladm', 'create-vnic', '-l', 'e1000g0', `${name}net0`],
  ]) {
    const r = await sim.runCommand({ argv, root });
    if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  }
}

const commands = [
  ['zoneadm', 'list', '-cp'],
  ['zfs', 'list', '-Hp', '-o', 'name,used,avail,refer,volsize,type', '-t', 'all'],
  ['dladm', 'show-vnic', '-p', '-o', 'link,over,speed,macaddress,macaddrtype,vid'],
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeSpawn(file, args, env) {
  const t = process.hrtime.bigint();
  const r = spawnSync(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const env = { ...process.env, ILLUMOS_SIM_ROOT: root };
const samples = { 'node -e 0': [] };
for (const c of commands) samples[c.join(' ')] = [];
// Interleave the baseline and the commands so drift in machine load hits all of them alike.
for (let i = 0; i < runs; i++) {
  samples['node -e 0'].push(timeSpawn(process.execPath, ['-e', '0'], env));
  for (const c of commands) samples[c.join(' ')].push(timeSpawn(join(bin, c[0]), c.slice(1), env));
}

const inProcess = {};
for (const c of commands) {
  await sim.runCommand({ argv: c, root }); // warm the module cache
  const n = Math.max(runs * 5, 100);
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await sim.runCommand({ argv: c, root });
  inProcess[c.join(' ')] = Number(process.hrtime.bigint() - t) / 1e6 / n;
}

const base = median(samples['node -e 0']);
console.log(
  `illumos-sim command cost, ${runs} runs each, host with ${zoneCount} zones (node ${process.version})`,
);
console.log(`${'command'.padEnd(74)} median ms   vs node -e 0   in-process ms/call`);
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  const delta =
    name === 'node -e 0' ? '' : `+${(m - base).toFixed(1)} (${((m / base - 1) * 100).toFixed(0)}%)`;
  const ip = inProcess[name] !== undefined ? inProcess[name].toFixed(2) : '';
  console.log(
    `${name.padEnd(74)} ${m.toFixed(1).padStart(9)}   ${delta.padStart(12)}   ${ip.padStart(10)}`,
  );
}
execFileSync(process.execPath, [join(pkg, 'bin', 'apiary-sim.js'), 'stop', root], {
  stdio: 'ignore',
});
rmSync(root, { recursive: true, force: true });
