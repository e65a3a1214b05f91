import { rollbackRefusal } from '@apiary/protocol';
import type { Command } from 'commander';
import { changeCommand, ORG_HELP } from '../lib/change-command.js';
import { withContext } from '../lib/context.js';
import { readKey } from '../lib/env-request.js';
import { HintedError } from '../lib/errors.js';
import type { HostView } from '../lib/host-names.js';
import { type ChangeOptions, type ChangeOutcome, runChange } from '../lib/run-change.js';
import { orgQuery } from './envs.js';
import { renderVm } from './render-env.js';
import { renderSnapshots, shortDigest } from './render-vm-change.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

const showVm = ({ vm }: ChangeOutcome, view: HostView) => renderVm(vm, view);

/** What a rollback refusal asks of the person: the flag that confirms it. */
const ROLLBACK_FLAGS = {
  force: 'run again with --force to destroy them',
  stop: 'stop the VM first, or run again with --stop',
} as const;

/** `apiary vms snapshots|snapshot|rollback|clone|publish`: point-in-time copies of a VM. */
export function registerVmSnapshots(vms: Command): void {
  vms
    .command('snapshots <vm>')
    .description("a VM's snapshots, oldest first, with the machine each keeps")
    .option('--org <id>', ORG_HELP)
    .action(
      withContext(async (ctx, id: string, o: { org?: string }) => {
        const page = await ctx
          .client()
          .listVmSnapshots({ params: { id }, query: { limit: 1000, ...orgQuery(o) } });
        ctx.out.result(page.items, renderSnapshots);
      }),
    );

  const snapshot = vms
    .command('snapshot')
    .description('take a snapshot of all of a VM\u2019s disks (default), or rm one');
  changeCommand(
    snapshot,
    'create <vm> <name>',
    'snapshot all disks at one instant, with the configuration',
    // The default: `apiary vms snapshot VM NAME` (name `create` only for a VM called `rm`).
    { isDefault: true },
  )
    .addHelpText('after', '\nExample: apiary vms snapshot web-1 before-upgrade')
    .action(
      withContext(async (ctx, id: string, name: string, o: ChangeOptions) => {
        await runChange(
          ctx,
          o,
          () =>
            ctx.client().createVmSnapshot({ params: { id }, query: orgQuery(o), body: { name } }),
          (outcome, view) => `snapshot ${name} of ${id}\n${showVm(outcome, view)}`,
        );
      }),
    );
  changeCommand(
    snapshot,
    'rm <vm> <name>',
    'delete a snapshot (refused while VMs are cloned from it)',
  ).action(
    withContext(async (ctx, id: string, name: string, o: ChangeOptions) => {
      await runChange(
        ctx,
        o,
        () => ctx.client().deleteVmSnapshot({ params: { id, name }, query: orgQuery(o) }),
        showVm,
      );
    }),
  );

  changeCommand(vms, 'rollback <vm> <name>', 'restore disks and configuration from a snapshot')
    .option('--stop', 'stop the VM first if it is running')
    .option('--force', 'destroy the snapshots taken after this one')
    .addHelpText('after', '\nExample: apiary vms rollback web-1 before-upgrade --stop --force')
    .action(
      withContext(
        async (
          ctx,
          id: string,
          name: string,
          o: ChangeOptions & { stop?: boolean; force?: boolean },
        ) => {
          const query = {
            ...orgQuery(o),
            ...(o.stop ? { stop: 'true' as const } : {}),
            ...(o.force ? { force: 'true' as const } : {}),
          };
          const send = async () => {
            try {
              return await ctx.client().rollbackVmSnapshot({ params: { id, name }, query });
            } catch (error) {
              const refusal = rollbackRefusal(error);
              if (refusal) throw new HintedError(refusal.reason, ROLLBACK_FLAGS[refusal.needs]);
              throw error;
            }
          };
          await runChange(
            ctx,
            o,
            send,
            (outcome, view) => `rolled back to ${name}\n${showVm(outcome, view)}`,
          );
        },
      ),
    );

  changeCommand(vms, 'clone <vm> <snapshot>', 'a new VM from a snapshot (thin clone, same host)')
    .option('--env <id>', "the new VM's environment (default: the source's)")
    .option(
      '--ssh-key <key>',
      'SSH public key or @file.pub, repeatable (default: the environment\u2019s)',
      collect,
    )
    .addHelpText('after', '\nExample: apiary vms clone web-1 before-upgrade --env staging')
    .action(
      withContext(
        async (
          ctx,
          id: string,
          name: string,
          o: ChangeOptions & { env?: string; sshKey?: string[] },
        ) => {
          const body = {
            ...(o.env ? { env: o.env } : {}),
            ...(o.sshKey ? { ssh_keys: o.sshKey.map(readKey) } : {}),
          };
          await runChange(
            ctx,
            o,
            () => ctx.client().cloneVmSnapshot({ params: { id, name }, query: orgQuery(o), body }),
            (outcome, view) =>
              `cloned ${id}@${name} into ${outcome.vm.id}\n${showVm(outcome, view)}`,
          );
        },
      ),
    );

  changeCommand(
    vms,
    'publish <vm> <snapshot> <image>',
    "publish a snapshot's boot disk as an image",
  )
    .addHelpText('after', '\nExample: apiary vms publish web-1 golden web-golden')
    .action(
      withContext(async (ctx, id: string, name: string, image: string, o: ChangeOptions) => {
        await runChange(
          ctx,
          o,
          () =>
            ctx.client().publishVmSnapshot({
              params: { id, name },
              query: orgQuery(o),
              body: { name: image },
            }),
          ({ operation }) => {
            const digest = operation.result?.image_digest;
            return operation.state === 'succeeded'
              ? `published image ${operation.result?.image ?? image}${digest ? ` (${shortDigest(digest)})` : ''}`
              : `publishing ${id}@${name} as ${image}: ${operation.state}`;
          },
        );
      }),
    );
}
