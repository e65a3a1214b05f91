#!/usr/bin/env node
// `npm run dev`: a controller and three agents on simulated OmniOS hosts, on the embedded SQLite
// default, with a sample image imported. Everything speaks HTTPS, as in production: each daemon
// serves the self-signed certificate it made in its data dir, and the agents pin the
// controller's by its fingerprint. State lives in .apiary-dev/ so a restart keeps it;
// delete the folder to start afresh. Ctrl-C stops everything cleanly (agents deregister, the
// simulated hosts' VNC daemons stop; running VMs are served again at the next start).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resumeZoneDaemon, stopZoneDaemon } from '@apiary/illumos-sim';
import { Fleet, uploadSampleImage } from '@apiary/testkit';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.env.APIARY_DEV_DIR ?? join(root, '.apiary-dev');
const controllerPort = Number(process.env.APIARY_DEV_PORT ?? 9200);
const SAMPLE_IMAGE = 'alpine-cloud';

async function ensureSampleImage(fleet) {
  const images = await fleet.admin.listImages({ query: { limit: 1000 } });
  if (images.items.some((i) => i.name === SAMPLE_IMAGE)) return;
  await uploadSampleImage(fleet.admin, SAMPLE_IMAGE);
}

async function main() {
  process.stdout.write(`starting a controller and 3 agents on simulated hosts in ${dir} ...\n`);
  const fleet = await Fleet.start({
    dir,
    agents: 3,
    controllerPort,
    agentPorts: [9101, 9102, 9103],
    // It runs for hours: output goes to .apiary-dev/logs only, not to memory as well.
    keepOutput: false,
  });
  await Promise.all(fleet.agents.map((a) => resumeZoneDaemon(a.simDir)));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping agents (they deregister), then the controller ...\n');
    await fleet.stop();
    // VMs stay "running" on the simulated hosts, as on real ones when the agent stops; their
    // VNC daemons stop with the fleet and are resumed by the next `npm run dev`.
    await Promise.all(fleet.agents.map((a) => stopZoneDaemon(a.simDir)));
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (const proc of [fleet.controller, ...fleet.agents].map((daemon) => daemon.process)) {
    proc.exited.then((code) => {
      if (stopping) return;
      process.stderr.write(
        `${proc.name} exited (${code}); see ${join(dir, 'logs', `${proc.name}.log`)}\n`,
      );
      stop();
    });
  }
  await ensureSampleImage(fleet);
  const b = fleet.bootstrap;
  const c = fleet.controller;
  process.stdout.write(
    [
      '',
      'Apiary is running, over HTTPS.',
      '',
      `  Dashboard   ${fleet.controllerUrl}/`,
      `  Log in as   ${b.adminUser} / ${b.adminPassword}`,
      `  API key     ${b.adminApiKey}`,
      `  Agents      ${fleet.agents.map((a) => a.url).join('  ')}`,
      `  Logs        ${join(dir, 'logs')}`,
      '',
      "The controller's certificate is self-signed:",
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
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch((error) => {
  process.stderr.write(`dev fleet failed to start: ${error.message}\n`);
  process.exit(1);
});
