import { type Env, envActionsOffered } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { navigate } from '../../lib/router.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { Button } from '../../ui/button.js';
import { ConfirmDialog } from '../../ui/confirm-dialog.js';
import { ExtendDialog } from './extend-dialog.js';

/** Stop / start / extend / delete, offered where the controller's rule allows them. */
export function EnvActions({
  env,
  compact = false,
  afterDelete,
}: {
  env: Env;
  compact?: boolean;
  afterDelete?: string;
}) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const [dialog, setDialog] = useState<'extend' | 'delete' | null>(null);
  const offered = envActionsOffered(env.state);
  if (offered.length === 0) return null;
  const params = { params: { id: env.id }, query: { org: env.org_id } };
  const size = compact ? 'sm' : 'md';
  const remove = async () => {
    const result = await run('delete', () => api.deleteEnv(params), {
      errorTitle: `Could not delete ${env.id}`,
      success: `Deleting ${env.id}`,
      invalidate: ['envs', 'hosts', 'status'],
    });
    setDialog(null);
    if (result && afterDelete) navigate(afterDelete);
  };
  return (
    <div class="actions">
      {offered.includes('stop') ? (
        <Button
          size={size}
          icon="stop"
          busy={pending === 'stop'}
          data-testid="env-stop"
          onClick={() =>
            run('stop', () => api.stopEnv(params), {
              errorTitle: `Could not stop ${env.id}`,
              invalidate: ['envs'],
            })
          }
        >
          Stop
        </Button>
      ) : null}
      {offered.includes('start') ? (
        <Button
          size={size}
          icon="play"
          busy={pending === 'start'}
          data-testid="env-start"
          onClick={() =>
            run('start', () => api.startEnv(params), {
              errorTitle: `Could not start ${env.id}`,
              invalidate: ['envs'],
            })
          }
        >
          Start
        </Button>
      ) : null}
      {offered.includes('extend') ? (
        <Button
          size={size}
          icon="extend"
          onClick={() => setDialog('extend')}
          data-testid="env-extend"
        >
          Extend
        </Button>
      ) : null}
      {offered.includes('delete') ? (
        <Button
          size={size}
          variant="danger"
          icon="trash"
          onClick={() => setDialog('delete')}
          data-testid="env-delete"
        >
          Delete
        </Button>
      ) : null}
      {dialog === 'extend' ? <ExtendDialog env={env} onClose={() => setDialog(null)} /> : null}
      <ConfirmDialog
        open={dialog === 'delete'}
        title={`Delete ${env.id}?`}
        confirmLabel="Delete environment"
        danger
        busy={pending === 'delete'}
        onConfirm={remove}
        onClose={() => setDialog(null)}
      >
        <p>
          Its {env.vms.length} {env.vms.length === 1 ? 'VM is' : 'VMs are'} destroyed with their
          disks, and the capacity they reserved is released. This cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}
