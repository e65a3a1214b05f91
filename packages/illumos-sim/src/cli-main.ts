/**
 * Entry of every simulated executable (bin/zoneadm, bin/zfs, ...): the program is the name it
 * was started as, the host is $ILLUMOS_SIM_ROOT, and everything else is `runCommand`, so the
 * process and the in-process entry behave identically. Only `zlogin -C` on a terminal leaves
 * this path: a console needs the live terminal, which a buffered result cannot give.
 */
import { basename } from 'node:path';
import { runCommand } from './core/run-command.js';

async function readAllStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function main(): Promise<void> {
  const program = basename(process.argv[1] ?? '');
  const args = process.argv.slice(2);
  const root = process.env.ILLUMOS_SIM_ROOT;
  if (!root) {
    process.stderr.write(
      `${program}: ILLUMOS_SIM_ROOT is not set (the simulated host's state directory)\n`,
    );
    process.exitCode = 1;
    return;
  }
  const stdinIsTty = process.stdin.isTTY === true;
  if (program === 'zlogin' && stdinIsTty && args.some((a) => /^-[A-Za-z]*C/.test(a))) {
    const { runConsole } = await import('./console/zlogin-console.js');
    process.exitCode = await runConsole(root, args);
    return;
  }
  const result = await runCommand({
    argv: [program, ...args],
    root,
    env: process.env,
    stdinIsTty,
    stdin: readAllStdin,
  });
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}

main().catch((error: unknown) => {
  process.stderr.write(`illumos-sim: ${(error as Error).stack ?? error}\n`);
  process.exitCode = 70;
});
