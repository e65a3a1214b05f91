#!/usr/bin/env node
// `npm run dev`: a controller and an agent on this machine, on the embedded SQLite default.
// State lives in .apiary-dev/ so a restart keeps it; delete the folder to start afresh.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const state = join(root, '.apiary-dev');
mkdirSync(state, { recursive: true });

const children = [];
function start(name, script, args) {
  const child = spawn(process.execPath, [join(root, script), ...args], { stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`dev: ${name} exited (${signal ?? code}); stopping everything\n`);
      stopAll(1);
    }
  });
  children.push(child);
}

let stopping = false;
function stopAll(code = 0) {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

start('controller', 'apps/controller/bin/apiary-controller.js', [
  '--listen',
  '127.0.0.1:9200',
  '--data-dir',
  join(state, 'controller'),
]);
start('agent', 'apps/agent/bin/apiary-agent.js', [
  '--listen',
  '127.0.0.1:9100',
  '--data-dir',
  join(state, 'agent-1'),
]);
process.stdout.write(
  '\nApiary is running:\n  controller  http://127.0.0.1:9200\n  agent       http://127.0.0.1:9100/api/info\nCtrl-C stops everything.\n\n',
);
