import type { Command } from 'commander';

export const ORG_HELP = "the VM's organization (super-admins; names are per organization)";

/**
 * A command that changes a VM: it takes `--no-wait` (return once the controller accepted the
 * change) and `--org`, like every other command that names a VM.
 */
export function changeCommand(
  parent: Command,
  usage: string,
  description: string,
  options: { isDefault?: boolean } = {},
): Command {
  return parent
    .command(usage, options)
    .description(description)
    .option('--no-wait', 'return once the change is accepted, without following its operation')
    .option('--org <id>', ORG_HELP);
}
