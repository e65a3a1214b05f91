import { formatMiB, type Vm } from '@apiary/protocol';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { Button } from '../../ui/button.js';
import { Icon } from '../../ui/icons.js';

/** `4 vCPU, 8 GiB memory, 2 data disks`: what a running VM gets at its next start. */
export function pendingText(pending: NonNullable<Vm['pending_changes']>): string {
  const parts: string[] = [];
  if (pending.cpu !== undefined) parts.push(`${pending.cpu} vCPU`);
  if (pending.mem !== undefined) parts.push(`${formatMiB(pending.mem)} memory`);
  if (pending.disk !== undefined) parts.push(`${formatMiB(pending.disk)} boot disk`);
  if (pending.disks !== undefined) {
    parts.push(`${pending.disks.length} data disk${pending.disks.length === 1 ? '' : 's'}`);
  }
  if (pending.cdrom !== undefined) parts.push(pending.cdrom ? 'an ISO in the CD-ROM' : 'no CD-ROM');
  return parts.join(', ');
}

/** Changes a running VM has not seen yet, with the restart that applies them now. */
export function PendingBanner({ vm, org }: { vm: Vm; org: string | undefined }) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const changes = vm.pending_changes;
  if (!changes || Object.keys(changes).length === 0) return null;
  const restart = () =>
    run(
      'restart',
      () => api.restartVm({ params: { id: vm.id }, query: org ? { org } : undefined }),
      {
        errorTitle: `Could not restart ${vm.id}`,
        invalidate: ['envs', 'hosts'],
      },
    );
  return (
    <div class="banner banner-warn" role="status" data-testid="pending-changes">
      <Icon name="info" />
      <div>
        <strong>Pending until the next start:</strong> {pendingText(changes)}.
      </div>
      {vm.state === 'running' ? (
        <Button size="sm" icon="restart" busy={pending === 'restart'} onClick={restart}>
          Restart now
        </Button>
      ) : null}
    </div>
  );
}
