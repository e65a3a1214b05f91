#!/usr/bin/env node
// `npm run dev`: a controller and three agents on simulated OmniOS hosts, on the embedded SQLite
// default, with a sample image imported. Everything speaks HTTPS, as in production: each daemon
// serves the self-signed certificate it made in its data dir, and the agents pin the
// controller's by its fingerprint. State lives in .apiary-dev/ so a restart keeps it;
// delete the folder to start afresh. Ctrl-C stops everything cleanly (agents deregister, the
// simulated hosts' VNC daemons stop; running VMs are served again at the next start).
//
// `npm run dev -- --ha`: the high-availability layout of docs/ha.md instead: a PostgreSQL
// cluster, two controllers on it (ports 9200 and 9201) serving one certificate, and three agents
// given both (`--controller URL1,URL2`). State lives in .apiary-dev-ha/, the database included
// (.apiary-dev-ha/postgres); Ctrl-C stops PostgreSQL last.
//
// Each simulated host has its own loopback address (127.0.0.2, 127.0.0.3, ...) where the
// forwards of its running VMs listen: the fleet prints `ssh -p PORT root@ADDRESS` for each VM as
// it comes up, and that command reaches the simulated guest with the key `envs create` injected.
//
// APIARY_DEV_DIR, APIARY_DEV_PORT (the first controller's port) and APIARY_DEV_AGENT_PORT (the
// first agent's) move it, e.g. to run a second fleet beside one already running.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resumeZoneDaemon, stopZoneDaemon } from '@apiary/illumos-sim';
import { Fleet, uploadSampleImage, watchVmAccess } from '@apiary/testkit';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--ha');
if (unknown.length > 0) {
  process.stderr.write(`dev fleet: unknown argument ${unknown[0]} (the one option is --ha)\n`);
  process.exit(2);
}
const ha = args.includes('--ha');
const dir = process.env.APIARY_DEV_DIR ?? join(root, ha ? '.apiary-dev-ha' : '.apiary-dev');
const controllerPort = Number(process.env.APIARY_DEV_PORT ?? 9200);
const firstAgentPort = Number(process.env.APIARY_DEV_AGENT_PORT ?? 9101);
const controllers = ha ? 2 : 1;
const SAMPLE_IMAGE = 'alpine-cloud';

async function ensureSampleImage(fleet) {
  const images = await fleet.admin.listImages({ query: { limit: 1000 } });
  if (images.items.some((i) => i.name === SAMPLE_IMAGE)) return;
  await uploadSampleImage(fleet.admin, SAMPLE_IMAGE);
}

async function main() {
  process.stdout.write(
    ha
      ? `starting PostgreSQL, 2 controllers on it and 3 agents on simulated hosts in ${dir} ...\n`
      : `starting a controller and 3 agents on simulated hosts in ${dir} ...\n`,
  );
  const fleet = await Fleet.start({
    dir,
    agents: 3,
    controllers,
    ...(ha ? { database: 'postgres' } : {}),
    controllerPorts: Array.from({ length: controllers }, (_, i) => controllerPort + i),
    agentPorts: [0, 1, 2].map((i) => firstAgentPort + i),
    // It runs for hours: output goes to DIR/logs only, not to memory as well.
    keepOutput: false,
  });
  await Promise.all(fleet.agents.map((a) => resumeZoneDaemon(a.simDir)));
  let stopping = false;
  let stopWatching = () => {};
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    stopWatching();
    process.stdout.write(
      ha
        ? '\nstopping agents (they deregister), then the controllers, then PostgreSQL ...\n'
        : '\nstopping agents (they deregister), then the controller ...\n',
    );
    try {
      await fleet.stop();
      // VMs stay "running" on the simulated hosts, as on real ones when the agent stops; their
      // VNC daemons stop with the fleet and are resumed by the next `npm run dev`.
      await Promise.all(fleet.agents.map((a) => stopZoneDaemon(a.simDir)));
    } catch (error) {
      process.stderr.write(`dev fleet: stopping failed: ${error.message}\n`);
      process.exit(1);
    }
    // Said last, so whoever pressed Ctrl-C knows the shutdown finished rather than hung.
    process.stdout.write(`stopped; the state stays in ${dir} for the next start\n`);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (const proc of [...fleet.controllers, ...fleet.agents].map((daemon) => daemon.process)) {
    proc.exited.then((code) => {
      if (stopping) return;
      process.stderr.write(
        `${proc.name} exited (${code}); see ${join(dir, 'logs', `${proc.name}.log`)}\n`,
      );
      // With two controllers, losing one is what the HA layout is for: the other serves on.
      const serving = fleet.controllers.filter((c) => c.process.running);
      if (ha && fleet.controllers.some((c) => c.process === proc) && serving.length > 0) {
        process.stderr.write(`the fleet goes on through ${serving.map((c) => c.url).join(' ')}\n`);
        return;
      }
      stop();
    });
  }
  await ensureSampleImage(fleet);
  const b = fleet.bootstrap;
  const c = fleet.controller;
  const dashboards = fleet.controllers.map(
    (controller, i) => `  ${i === 0 ? 'Dashboard  ' : '           '} ${controller.url}/`,
  );
  process.stdout.write(
    [
      '',
      ha
        ? 'Apiary is running, over HTTPS: two controllers on one PostgreSQL database.'
        : 'Apiary is running, over HTTPS.',
      '',
      ...dashboards,
      `  Log in as   ${b.adminUser} / ${b.adminPassword}`,
      `  API key     ${b.adminApiKey}`,
      `  Agents      ${fleet.agents.map((a) => a.url).join('  ')}`,
      `  Hosts       ${fleet.agents.map((a) => a.publicAddress).join('  ')}  (VMs' forwarded ports)`,
      ...(ha ? [`  PostgreSQL  ${fleet.databaseUrl}`] : []),
      `  Logs        ${join(dir, 'logs')}`,
      '',
      ha
        ? 'The controllers serve one self-signed certificate (as behind a load balancer):'
        : "The controller's certificate is self-signed:",
      `  file         ${c.certFile}`,
      `  fingerprint  ${c.fingerprint}`,
      '  In the browser, accept it once the warning shows this fingerprint (or import the file',
      '  as a trusted certificate); for curl, pass --cacert with the file.',
      '',
      'Try the CLI in another terminal:',
      `  export APIARY_URL=${fleet.controllerUrl} APIARY_API_KEY=${b.adminApiKey}`,
      `  export APIARY_CA=${c.certFile}`,
      '  pnpm exec apiary hosts list',
      `  pnpm exec apiary envs create --id demo --image ${SAMPLE_IMAGE} --count 2 --port 80 --wait`,
      '  (it injects your ~/.ssh/*.pub keys; give --ssh-key @FILE.pub for another)',
      '  pnpm exec apiary vms console demo-0     # Ctrl-] detaches',
      '  (each VM prints its ssh line here once it runs: ssh -p PORT root@127.0.0.N)',
      ...(ha
        ? [
            '',
            `Then stop a controller (kill -9 the node process listening on ${controllerPort}): the`,
            `agents heartbeat through the other, and APIARY_URL=${fleet.controllers[1]?.url} serves everything.`,
          ]
        : []),
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  stopWatching = watchVmAccess(fleet.admin, (line) => {
    if (!stopping) process.stdout.write(`${line}\n`);
  });
}

main().catch((error) => {
  process.stderr.write(`dev fleet failed to start: ${error.message}\n`);
  process.exit(1);
});
