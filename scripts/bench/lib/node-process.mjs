// A node program a benchmark runs beside itself (a controller, the fake agents, a baseline
// server), started with an argv array and judged ready by what it prints: each of them says
// so on stdout (the controller's `listening` log line, `{"port":N}`, `{"ready":N}`), which
// is sooner and surer than polling a port it picked itself.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * Starts `node ...args` and resolves once everything it has printed on stdout matches
 * `ready`; rejects if it exits first (with what it printed). Its stderr goes to ours.
 *
 * @param {string[]} args node's flags, then the script and its arguments
 * @param {RegExp} ready
 * @param {object} [options]
 * @param {Record<string, string>} [options.env] variables added to this process's environment
 * @param {boolean} [options.keepOutput] keep collecting stdout after ready (for `output()`);
 *   otherwise it is drained and dropped, so a long run does not hold every log line
 * @returns {Promise<{ child: import('node:child_process').ChildProcess, match: RegExpMatchArray,
 *   output: () => string, stop: () => Promise<void> }>}
 */
export function startNodeProcess(args, ready, { env, keepOutput = false } = {}) {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
  child.stdout.setEncoding('utf8');
  let out = '';
  const handle = {
    child,
    match: null,
    output: () => out,
    stop: () => stopProcess(child),
  };
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      out += chunk;
      if (handle.match) return;
      const match = out.match(ready);
      if (!match) return;
      handle.match = match;
      child.off('exit', onEarlyExit);
      if (!keepOutput) {
        child.stdout.off('data', onData);
        child.stdout.resume();
      }
      resolve(handle);
    };
    const onEarlyExit = (code, signal) =>
      reject(
        new Error(`${args.join(' ')} exited (${code ?? signal}) before it was ready:\n${out}`),
      );
    child.stdout.on('data', onData);
    child.on('exit', onEarlyExit);
    child.on('error', reject);
  });
}

/**
 * SIGTERM, then waits until it has exited and its stdout is closed (`close`, not `exit`: what
 * it prints as it stops, the fake agents' stats, is then all in `output()`). Nothing to do for
 * a process that has already exited.
 */
async function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = once(child, 'close');
  child.kill('SIGTERM');
  await closed;
}
