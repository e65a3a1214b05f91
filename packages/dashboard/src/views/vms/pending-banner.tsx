import type { Vm } from '@apiary/protocol';
import { pendingText } from '../../lib/pending-text.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { Button } from '../../ui/button.js';
import { Icon } from '../../ui/icons.js';

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
