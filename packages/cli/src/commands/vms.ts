import type { Command } from 'commander';
import { attachConsole } from '../lib/console.js';
import { withContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';
import { loadHostView } from '../lib/host-names.js';
import { tlsOptions } from '../lib/tls-trust.js';
import { filterVms, type VmFilter } from '../lib/vm-list.js';
import { orgQuery } from './envs.js';
import { renderVm, renderVmList } from './render-env.js';
import { renderVmTop } from './render-top.js';
import { registerTop } from './top.js';
import { vmTopRows } from './top-rows.js';

/** The `vms` command; its change commands are registered on it by program.ts. */
export function registerVms(program: Command): Command {
  const vms = program.command('vms').description('single VMs');

  registerTop(
    vms,
    'running VMs with their CPU and traffic',
    (ctx) => vmTopRows(ctx.client()),
    (rows) => renderVmTop(rows),
  );

  vms
    .command('list')
    .description('list VMs across environments, with their hosts by hostname')
    .option('--env <id>', 'only the VMs of this environment')
    .option('--host <host>', 'only the VMs on this host (hostname or id)')
    .option('--state <state>', 'only VMs in this state (running, stopped, failed...)')
    .option('--org <id>', 'only this organization (super-admins)')
    .action(
      withContext(async (ctx, o: VmFilter & { org?: string }) => {
        const client = ctx.client();
        // --host needs the hostnames even for --json; tables always show them.
        const view =
          o.host !== undefined
            ? await loadHostView(client, Boolean(ctx.options.wide))
            : await ctx.hostView();
        const page = await client.listEnvs({ query: { limit: 1000, ...orgQuery(o) } });
        const vms = filterVms(page.items, view, o);
        ctx.out.result(vms, (list) => renderVmList(list, view));
      }),
    );

  vms
    .command('show <id>')
    .description('one VM: state, host, IP, ports and how to ssh in')
    .option('--org <id>', "the VM's organization (super-admins; names are per organization)")
    .action(
      withContext(async (ctx, id: string, o: { org?: string }) => {
        const vm = await ctx.client().getVm({ params: { id }, query: orgQuery(o) });
        const view = await ctx.hostView();
        ctx.out.result(vm, (v) => renderVm(v, view));
      }),
    );

  const actions = [
    ['stop', 'stop a VM', 'stopVm'],
    ['start', 'start a VM', 'startVm'],
    ['restart', 'restart a VM', 'restartVm'],
  ] as const;
  for (const [name, description, verb] of actions) {
    vms
      .command(`${name} <id>`)
      .description(description)
      .option('--org <id>', "the VM's organization (super-admins; names are per organization)")
      .action(
        withContext(async (ctx, id: string, o: { org?: string }) => {
          const vm = await ctx.client()[verb]({ params: { id }, query: orgQuery(o) });
          const view = await ctx.hostView();
          ctx.out.result(vm, (v) => renderVm(v, view));
        }),
      );
  }

  vms
    .command('console <id>')
    .description("attach to a VM's serial console (Ctrl-] detaches)")
    .option('--org <id>', "the VM's organization (super-admins; names are per organization)")
    .action(
      withContext(async (ctx, id: string, o: { org?: string }) => {
        if (ctx.out.json) throw new UsageError('console is interactive; --json does not apply');
        const ticket = await ctx
          .client()
          .consoleTicket({ params: { id }, query: orgQuery(o), body: { kind: 'serial' } });
        const url = new URL(ticket.url, ctx.target().url);
        url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
        const end = await attachConsole(
          url.toString(),
          process.stdin,
          process.stdout,
          () => ctx.out.info(`connected to ${id} (Ctrl-] to detach)`),
          tlsOptions(ctx.trust()),
        );
        if (end.detached) return ctx.out.info(`\r\ndetached from ${id}`);
        // The console ended on the other side: say why, and fail unless it ended normally.
        const why = end.reason || `code ${end.code}`;
        if (end.code === 1000 || end.code === 1001) {
          return ctx.out.info(`\r\nconsole of ${id} closed: ${why}`);
        }
        throw new Error(`console of ${id} closed (${end.code}): ${why}`);
      }),
    );
  return vms;
}
