import { CommanderError } from 'commander';
import { reportError } from './lib/errors.js';
import { profilesPath, readProfiles, resolveTarget } from './lib/profiles.js';
import { buildProgram } from './program.js';

async function main(): Promise<void> {
  const program = buildProgram();
  // Usage errors exit 2 (like most Unix tools); API failures exit 1.
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      const benign = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
      process.exitCode = benign.includes(error.code) ? 0 : 2;
      return;
    }
    process.exitCode = reportError(error, currentUrl(), process.stderr);
  }
}

function currentUrl(): string {
  try {
    return resolveTarget(process.env, readProfiles(profilesPath(process.env)), {}).url;
  } catch {
    return process.env.APIARY_URL ?? 'http://127.0.0.1:9200';
  }
}

void main();
