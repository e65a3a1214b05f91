import type { Command } from 'commander';
import { changeCommand, ORG_HELP } from '../lib/change-command.js';
import { withContext } from '../lib/context.js';
import { withFlagIssues } from '../lib/flag-issues.js';
import { type HostView, resolveHostId } from '../lib/host-names.js';
import { type ChangeOptions, runChange } from '../lib/run-change.js';
import {
  diskNumberArgument,
  diskSizeArgument,
  type ResizeFlags,
  resizeRequestFromFlags,
  type SetFlags,
  setRequestFromFlags,
  updateFlagSource,
} from '../lib/vm-update-flags.js';
import { orgQuery } from './envs.js';
import { renderVm } from './render-env.js';
import { renderMigration } from './render-migration.js';
import { renderDisks } from './render-vm-change.js';

const showVm = ({ vm }: { vm: Parameters<typeof renderVm>[0] }, view: HostView) =>
  renderVm(vm, view);

/** `apiary vms resize|set|disks|cdrom`: changing a VM's machine and network. */
export function registerVmChanges(vms: Command): void {
  changeCommand(vms, 'resize <vm>', 'change cpu, memory or boot disk size (sizes like 8G, 512M)')
    .option('--cpu <n>', 'vCPUs')
    .option('--mem <size>', 'memory, e.g. 8G or 4096 (MiB)')
    .option('--disk <size>', 'boot disk size, e.g. 60G (grow only)')
    .option('--restart', 'restart a running VM so the change applies now (else at its next start)')
    .addHelpText('after', '\nExample: apiary vms resize web-1 --cpu 4 --mem 8G --restart')
    .action(
      withContext(
        async (ctx, id: string, o: ResizeFlags & ChangeOptions & { restart?: boolean }) => {
          const body = resizeRequestFromFlags(o);
          const query = { ...orgQuery(o), ...(o.restart ? { restart: 'true' as const } : {}) };
          await runChange(
            ctx,
            o,
            () =>
              withFlagIssues(updateFlagSource(o), () =>
                ctx.client().updateVm({ params: { id }, query, body }),
              ),
            showVm,
          );
        },
      ),
    );

  changeCommand(vms, 'set <vm>', "change a VM's forwarded ports or outgoing traffic")
    .option('--ports <list>', 'the whole list of guest ports to forward, e.g. 22,80,443 (22 stays)')
    .option('--deny-outgoing', 'block connections the VM starts')
    .option('--allow-outgoing', 'allow connections the VM starts')
    .addHelpText('after', '\nExample: apiary vms set web-1 --ports 80,443 --deny-outgoing')
    .action(
      withContext(async (ctx, id: string, o: SetFlags & ChangeOptions) => {
        const body = setRequestFromFlags(o);
        await runChange(
          ctx,
          o,
          () =>
            withFlagIssues(updateFlagSource(o), () =>
              ctx.client().updateVm({ params: { id }, query: orgQuery(o), body }),
            ),
          showVm,
        );
      }),
    );

  changeCommand(
    vms,
    'migrate <vm>',
    'move a VM to another host, disks and all (a progress bar follows the copy)',
  )
    .option('--to <host>', 'the host to move it to (default: where placement puts it)')
    .addHelpText(
      'after',
      '\nExamples:\n  apiary vms migrate web-1\n  apiary vms migrate web-1 --to host_b --no-wait',
    )
    .action(
      withContext(async (ctx, id: string, o: ChangeOptions & { to?: string }) => {
        const body = o.to ? { to: await resolveHostId(ctx.client(), o.to) } : {};
        await runChange(
          ctx,
          o,
          () => ctx.client().migrateVm({ params: { id }, query: orgQuery(o), body }),
          renderMigration,
        );
      }),
    );

  const disks = vms.command('disks').description("a VM's data disks: list (default), add, rm");
  disks
    .command('list <vm>', { isDefault: true })
    .description("list a VM's data disks with their size and space used")
    .option('--org <id>', ORG_HELP)
    .action(
      withContext(async (ctx, id: string, o: { org?: string }) => {
        const vm = await ctx.client().getVm({ params: { id }, query: orgQuery(o) });
        ctx.out.result(vm.disks ?? [], renderDisks);
      }),
    );
  changeCommand(disks, 'add <vm> <size>', 'add a data disk, e.g. 20G (the next free diskN)')
    .addHelpText('after', '\nExample: apiary vms disks add web-1 20G')
    .action(
      withContext(async (ctx, id: string, size: string, o: ChangeOptions) => {
        const body = { size: diskSizeArgument(size) };
        await runChange(
          ctx,
          o,
          () => ctx.client().addVmDisk({ params: { id }, query: orgQuery(o), body }),
          showVm,
        );
      }),
    );
  changeCommand(disks, 'rm <vm> <n>', 'remove data disk N (diskN; VM stopped, or disk pending)')
    .addHelpText('after', '\nExample: apiary vms disks rm web-1 1')
    .action(
      withContext(async (ctx, id: string, n: string, o: ChangeOptions) => {
        const params = { id, n: diskNumberArgument(n) };
        await runChange(
          ctx,
          o,
          () => ctx.client().removeVmDisk({ params, query: orgQuery(o) }),
          showVm,
        );
      }),
    );

  const cdrom = vms.command('cdrom').description("a VM's CD-ROM: attach or detach an ISO image");
  changeCommand(
    cdrom,
    'attach <vm> <iso>',
    'attach an ISO image (name or digest), seen at next start',
  )
    .addHelpText('after', '\nExample: apiary vms cdrom attach web-1 omnios-r151054')
    .action(
      withContext(async (ctx, id: string, image: string, o: ChangeOptions) => {
        await runChange(
          ctx,
          o,
          () => ctx.client().attachVmCdrom({ params: { id }, query: orgQuery(o), body: { image } }),
          showVm,
        );
      }),
    );
  changeCommand(cdrom, 'detach <vm>', "detach a VM's CD-ROM").action(
    withContext(async (ctx, id: string, o: ChangeOptions) => {
      await runChange(
        ctx,
        o,
        () => ctx.client().detachVmCdrom({ params: { id }, query: orgQuery(o) }),
        showVm,
      );
    }),
  );
}
