import type { Command } from 'commander';
import { ORG_HELP } from '../lib/change-command.js';
import { withContext } from '../lib/context.js';
import { orgQuery } from './envs.js';
import { renderOperation, renderOperations } from './render-vm-change.js';

/** `apiary operations show ID` and `apiary vms operations VM`: VM changes and their progress. */
export function registerOperations(program: Command, vms: Command): void {
  const operations = program.command('operations').description('VM change operations');
  operations
    .command('show <id>')
    .description('one operation: its state, step, error and result')
    .option('--org <id>', ORG_HELP)
    .action(
      withContext(async (ctx, id: string, o: { org?: string }) => {
        ctx.out.result(
          await ctx.client().getVmOperation({ params: { id }, query: orgQuery(o) }),
          renderOperation,
        );
      }),
    );

  vms
    .command('operations <vm>')
    .description("a VM's change operations, newest first")
    .option('--org <id>', ORG_HELP)
    .action(
      withContext(async (ctx, id: string, o: { org?: string }) => {
        const page = await ctx
          .client()
          .listVmOperations({ params: { id }, query: { limit: 100, ...orgQuery(o) } });
        ctx.out.result(page.items, renderOperations);
      }),
    );
}
