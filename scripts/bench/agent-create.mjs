#!/usr/bin/env node
// Benchmark: what a VM create costs on the agent, against the simulated host.
//
//   node scripts/bench/agent-create.mjs [--sequential 5] [--parallel 10] [--boot-settle-ms 1000] [--cpu-prof DIR]
//
// Prints the host commands one create runs (from the simulator's command log), the time a
// create takes (POST /api/vms to the operation succeeding), the same for deletes and for a
// batch of parallel creates, and, as the baseline measured in the same run, the time the same
// host commands take when replayed back to back without the agent. Needs `pnpm build` first.
// A create waits --boot-settle-ms after `zoneadm boot` on purpose (the zone must still be running
// then); the overhead is printed with and without that wait.
//
// The split of each operation (issue 18: agent overhead <= 10% of its host commands' own time)
// comes from the agent's own log: from `operation started` to `operation finished`, the time
// covered by its `host command` lines (each ends at its log time and lasted its duration_ms:
// the agent's wall time of the command, process start included) is the host commands' time;
// the rest, less the boot settle, is the agent's own (database, JSON, parsing, waiting on
// itself). Sequential creates and deletes only, so no other operation's commands mix in.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const AGENT = join(repo, 'apps/agent/dist/main.js');
const SIM_CLI = join(repo, 'packages/illumos-sim/bin/apiary-sim.js');
const { values } = parseArgs({
  options: {
    sequential: { type: 'string', default: '5' },
    parallel: { type: 'string', default: '10' },
    'boot-settle-ms': { type: 'string', default: '1000' },
    /** Keep the agent's log (JSON lines) in this file. */
    'agent-log': { type: 'string' },
    /** Write a CPU profile of the agent into this directory. */
    'cpu-prof': { type: 'string' },
  },
});
const SEQUENTIAL = Number(values.sequential);
const PARALLEL = Number(values.parallel);
const SETTLE_MS = Number(values['boot-settle-ms']);

const work = mkdtempSync(join(tmpdir(), 'apiary-bench-'));
const simRoot = join(work, 'host');
const dataDir = join(work, 'data');
const bin = execFileSync(process.execPath, [SIM_CLI, 'bin-dir'], { encoding: 'utf8' }).trim();
const sim = (root, cmd, args, input) =>
  execFileSync(join(bin, cmd), args, {
    env: { ...process.env, ILLUMOS_SIM_ROOT: root },
    input,
    maxBuffer: 1 << 30,
  });
const readLog = () =>
  readFileSync(join(simRoot, 'commands.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

async function freePort() {
  const s = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const { port } = s.address();
  s.close();
  return port;
}

function imageStream() {
  const builder = join(work, 'builder');
  execFileSync(process.execPath, [SIM_CLI, 'init', builder]);
  sim(builder, 'zfs', ['create', '-V', String(1 << 30), 'rpool/box']);
  writeFileSync(join(builder, 'root/dev/zvol/dsk/rpool/box'), 'bootable disk\n');
  sim(builder, 'zfs', ['snapshot', 'rpool/box@v1']);
  return sim(builder, 'zfs', ['send', 'rpool/box@v1']);
}

const ms = (n) => `${n.toFixed(0).padStart(6)} ms`;

/**
 * A command that only reads the host (lists, exports, shows): the agent's choice to look, not
 * the work the operation is for. The stricter overhead counts these as the agent's.
 */
const isProbe = (line) => / list( |$)|^zonecfg -z \S+ export$| show-|^zfs get /.test(line);

/**
 * Per operation, from the agent's log lines: its wall time (started to finished) and the time
 * its host commands covered (the union of their intervals, so commands run together count once).
 */
function splitOperations(logText) {
  const coveredMs = (commands) => {
    const intervals = commands.map(([a, b]) => [a, b]).sort((x, y) => x[0] - y[0]);
    let covered = 0;
    let until = Number.NEGATIVE_INFINITY;
    for (const [a, b] of intervals) {
      if (b <= until) continue;
      covered += b - Math.max(a, until);
      until = b;
    }
    return covered;
  };
  const ops = new Map();
  for (const line of logText.split('\n')) {
    if (!line.startsWith('{')) continue;
    let e;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    const id = e.operation_id;
    if (!id) continue;
    const time = Date.parse(e.time);
    const op = ops.get(id) ?? { id, kind: null, start: null, end: null, commands: [] };
    ops.set(id, op);
    if (e.msg === 'operation started') {
      op.start = time;
      op.kind = e.kind;
    } else if (e.msg === 'operation finished') op.end = time;
    else if (e.msg === 'host command' || e.msg === 'host command failed') {
      op.commands.push([time - e.duration_ms, time, e.argv.join(' ')]);
    }
  }
  const out = [];
  for (const op of ops.values()) {
    if (op.start === null || op.end === null) continue;
    const work = op.commands.filter((c) => !isProbe(c[2]));
    out.push({
      id: op.id,
      kind: op.kind,
      wall: op.end - op.start,
      commands: coveredMs(op.commands),
      work: coveredMs(work),
      count: op.commands.length,
      workCount: work.length,
    });
  }
  return out;
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    min: s[0],
    median: s[Math.floor(s.length / 2)],
    max: s.at(-1),
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
};

async function main() {
  execFileSync(process.execPath, [SIM_CLI, 'init', simRoot, '--cpus', '64', '--ram', '256G']);
  const port = await freePort();
  const agent = spawn(
    process.execPath,
    [
      ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : []),
      AGENT,
      '--listen',
      `127.0.0.1:${port}`,
      '--data-dir',
      dataDir,
      '--sim',
      simRoot,
      '--boot-settle-ms',
      String(SETTLE_MS),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  agent.stdout.on('data', (d) => {
    out += d;
  });
  while (!out.includes('"msg":"listening"')) await new Promise((r) => setTimeout(r, 50));
  const key = execFileSync(process.execPath, [AGENT, 'keys', 'create', '--data-dir', dataDir], {
    encoding: 'utf8',
  }).split('\n')[0];
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body, headers = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body && !Buffer.isBuffer(body) ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body && !Buffer.isBuffer(body) ? JSON.stringify(body) : body,
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  // Polled as the controller polls (waitForOperation: 50 ms, then 1.5x up to 1 s): a tighter
  // loop would be requests the agent serves in the middle of the operation being measured.
  const waitOp = async (id) => {
    for (let delay = 50; ; delay = Math.min(1000, Math.round(delay * 1.5))) {
      const op = await call('GET', `/api/operations/${id}`);
      if (op.state === 'succeeded') return op;
      if (op.state === 'failed') throw new Error(`operation ${id} failed: ${op.error?.msg}`);
      await new Promise((r) => setTimeout(r, delay));
    }
  };

  const stream = imageStream();
  const digest = `sha256:${createHash('sha256').update(stream).digest('hex')}`;
  let t0 = performance.now();
  await call('POST', '/api/images?name=box', stream, {
    'content-type': 'application/octet-stream',
  });
  const uploadMs = performance.now() - t0;
  // A copy of the host as it is now, to replay a create's commands on without the agent.
  const pristine = join(work, 'pristine');
  cpSync(simRoot, pristine, { recursive: true });

  // One create, with the host commands it runs; then, alternately, a baseline replay of those
  // commands without the agent and another agent create, so both see the same machine load.
  const spec = (id) => ({
    id,
    env_id: 'bench',
    image: 'box',
    cpu: 1,
    mem: 512,
    disk: 2048,
    ports: [80],
  });
  const sequentialOps = [];
  const timedCreate = async (id) => {
    const started = performance.now();
    const { operation } = await call('POST', '/api/vms', spec(id));
    sequentialOps.push(operation.id);
    await waitOp(operation.id);
    return performance.now() - started;
  };
  const creates = [];
  const replays = [];
  const deletes = [];
  const mark = readLog().length;
  creates.push(await timedCreate('seq-0'));
  const createCommands = readLog().slice(mark);
  const zoneFile = join(work, 'seq-0.zonecfg');
  writeFileSync(zoneFile, sim(simRoot, 'zonecfg', ['-z', 'seq-0', 'export']));
  const rdr = sim(simRoot, 'ipnat', ['-l'])
    .toString()
    .split('\n')
    .filter((l) => l.startsWith('rdr') && l.includes('10.213.0.2 '))
    .join('\n');
  const run = promisify(execFile);
  const replay = async (i) => {
    const root = join(work, `replay-${i}`);
    cpSync(pristine, root, { recursive: true });
    const started = performance.now();
    for (const c of createCommands) {
      const args = c.argv[0] === 'zonecfg' ? ['-z', 'seq-0', '-f', zoneFile] : c.argv.slice(1);
      const child = run(
        join(bin, c.argv[0]),
        args, // The environment the agent gives host commands: PATH and the simulator root only.
        { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ILLUMOS_SIM_ROOT: root } },
      );
      child.child.stdin.end(c.argv[0] === 'ipnat' ? `${rdr}\n` : '');
      await child;
    }
    return performance.now() - started;
  };
  for (let i = 1; i < SEQUENTIAL; i++) {
    replays.push(await replay(i));
    creates.push(await timedCreate(`seq-${i}`));
  }
  replays.push(await replay(SEQUENTIAL));

  const listBefore = readLog().length;
  t0 = performance.now();
  await call('GET', '/api/vms?limit=1000');
  const listMs = performance.now() - t0;
  let deleteCommands = [];
  const listCommands = readLog().slice(listBefore);
  for (let i = 0; i < SEQUENTIAL; i++) {
    const before = readLog().length;
    t0 = performance.now();
    const { operation } = await call('DELETE', `/api/vms/seq-${i}`);
    sequentialOps.push(operation.id);
    await waitOp(operation.id);
    deletes.push(performance.now() - t0);
    if (i === 0) deleteCommands = readLog().slice(before);
  }

  t0 = performance.now();
  const accepted = await Promise.all(
    Array.from({ length: PARALLEL }, (_, i) => call('POST', '/api/vms', spec(`par-${i}`))),
  );
  await Promise.all(accepted.map((a) => waitOp(a.operation.id)));
  const parallelMs = performance.now() - t0;

  agent.kill('SIGTERM');
  await new Promise((r) => agent.once('exit', r));
  console.log('Apiary agent: create benchmark on the simulated host');
  console.log(
    `  image upload (zfs-send, ${stream.length} bytes): ${ms(uploadMs)}  digest ${digest.slice(0, 19)}...`,
  );
  console.log(`\n  host commands of one create (${createCommands.length}):`);
  for (const c of createCommands)
    console.log(`    ${String(c.duration_ms).padStart(4)} ms  ${c.argv.join(' ')}`);
  console.log(`\n  host commands of one delete (${deleteCommands.length}):`);
  for (const c of deleteCommands)
    console.log(`    ${String(c.duration_ms).padStart(4)} ms  ${c.argv.join(' ')}`);
  const c = stats(creates);
  const d = stats(deletes);
  console.log(
    `\n  create, sequential x${SEQUENTIAL}: median ${ms(c.median)}  min ${ms(c.min)}  max ${ms(c.max)}`,
  );
  console.log(
    `  delete, sequential x${SEQUENTIAL}: median ${ms(d.median)}  min ${ms(d.min)}  max ${ms(d.max)}`,
  );
  console.log(
    `  ${PARALLEL} creates in parallel: ${ms(parallelMs)} wall, ${ms(parallelMs / PARALLEL)} per VM`,
  );
  console.log(
    `  GET /api/vms with ${SEQUENTIAL} VMs: ${ms(listMs)}, ${listCommands.length} host command(s)`,
  );
  if (values['agent-log']) writeFileSync(values['agent-log'], out);
  // The agent's own time per operation, from its log (sequential operations only).
  const split = splitOperations(out);
  const seqIds = new Set(sequentialOps);
  const report = (kind, settle) => {
    const own = split.filter((o) => o.kind === kind && seqIds.has(o.id));
    if (own.length === 0) return;
    const wall = stats(own.map((o) => o.wall));
    const cmd = stats(own.map((o) => o.commands));
    const agentMs = stats(own.map((o) => o.wall - o.commands - settle));
    const ratio = stats(own.map((o) => (o.wall - o.commands - settle) / o.commands));
    const strict = stats(own.map((o) => (o.wall - o.work - settle) / o.work));
    const workMs = stats(own.map((o) => o.work));
    console.log(
      `  ${kind} x${own.length} (${own[0].count} host commands): operation ${ms(wall.median)}, host commands ${ms(cmd.median)}` +
        `${settle ? `, boot settle ${ms(settle)}` : ''}, agent's own ${ms(agentMs.median)} = ${(ratio.median * 100).toFixed(1)}% of the commands' time (median; min ${(ratio.min * 100).toFixed(1)}%, max ${(ratio.max * 100).toFixed(1)}%)`,
    );
    console.log(
      `    counting its read-only probes (lists, exports, shows) as the agent's too: ${own[0].workCount} commands that change the host ${ms(workMs.median)}, ` +
        `overhead ${(strict.median * 100).toFixed(1)}% (min ${(strict.min * 100).toFixed(1)}%, max ${(strict.max * 100).toFixed(1)}%)`,
    );
  };
  console.log("\n  the agent's own time vs its host commands' (agent log, per operation):");
  report('create', SETTLE_MS);
  report('delete', 0);
  const r = stats(replays);
  console.log(
    `\n  baseline (same run, interleaved): the ${createCommands.length} commands replayed without the agent`,
  );
  console.log(`    median ${ms(r.median)}  min ${ms(r.min)}  max ${ms(r.max)}`);
  console.log(
    `  agent overhead per create (median create - median baseline): ${ms(c.median - r.median)}`,
  );
  console.log(
    `    of which the deliberate boot settle: ${ms(SETTLE_MS)}; the rest: ${ms(c.median - r.median - SETTLE_MS)}`,
  );
  rmSync(work, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
