import { API_VERSION } from '@apiary/protocol';
import { Command } from 'commander';
import { registerAudit } from './commands/audit.js';
import { registerEnvs } from './commands/envs.js';
import { registerHosts } from './commands/hosts.js';
import { registerImages } from './commands/images.js';
import { registerLogin } from './commands/login.js';
import { registerOperations } from './commands/operations.js';
import { registerProfiles } from './commands/profiles.js';
import { registerRecipes } from './commands/recipes.js';
import { registerRegistries } from './commands/registries.js';
import { registerStatus } from './commands/status.js';
import { registerTenancy } from './commands/tenancy.js';
import { registerVmChanges } from './commands/vm-change.js';
import { registerVmSnapshots } from './commands/vm-snapshots.js';
import { registerVms } from './commands/vms.js';
import { showDefaultsAlike } from './lib/help-defaults.js';

export const CLI_VERSION = '0.1.0';

/** The whole `apiary` command tree; main.ts runs it, tests inspect it. */
export function buildProgram(): Command {
  const program = new Command('apiary')
    .description('Operate an Apiary fleet: hosts, environments, VMs and images.')
    .version(`${CLI_VERSION} (API ${API_VERSION})`)
    .option('--json', 'print JSON instead of tables (for scripts)')
    .option('--wide', 'show ids next to names in tables (hosts are shown by hostname)')
    .option('--url <url>', 'controller URL (overrides APIARY_URL and the profile)')
    .option('--profile <name>', 'use this saved profile')
    .option('--ca <file>', "trust this PEM file as the controller's CA (overrides APIARY_CA)")
    .option('--insecure', "do not check the controller's certificate (loudly; for emergencies)")
    .showHelpAfterError('(run with --help for usage)')
    // Subcommands inherit this: usage errors throw instead of exiting, so main picks the code.
    .exitOverride()
    .addHelpText(
      'after',
      '\nEnvironment: APIARY_URL and APIARY_API_KEY override the saved profile (for scripts);\n' +
        "APIARY_CA=FILE trusts a CA file (e.g. the controller's self-signed certificate).",
    );
  registerLogin(program);
  registerProfiles(program);
  registerStatus(program);
  registerHosts(program);
  registerEnvs(program);
  const vms = registerVms(program);
  registerVmChanges(vms);
  registerVmSnapshots(vms);
  registerImages(program);
  registerRegistries(program);
  registerRecipes(program);
  registerOperations(program, vms);
  registerTenancy(program);
  registerAudit(program);
  showDefaultsAlike(program);
  return program;
}
