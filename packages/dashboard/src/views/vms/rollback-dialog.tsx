import { type RollbackRefusal, rollbackRefusal, type Vm } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { useApp } from '../../state/app-context.js';
import { toastError } from '../../state/toasts.js';
import { ConfirmDialog } from '../../ui/confirm-dialog.js';
import type { VmOperations } from './use-vm-operations.js';

const CONFIRM_LABELS: Record<RollbackRefusal['needs'], string> = {
  force: 'Destroy them and roll back',
  stop: 'Stop the VM and roll back',
};

/**
 * Rolling back, confirmed step by step: first that changes since the snapshot are lost, then,
 * if the controller refuses (later snapshots would be destroyed, the VM is running), its own
 * sentence and a button that confirms exactly that (`?force=true`, `?stop=true`).
 */
export function RollbackDialog({
  vm,
  snapshot,
  org,
  track,
  onClose,
}: {
  vm: Vm;
  snapshot: string;
  org: string | undefined;
  track: VmOperations['track'];
  onClose: () => void;
}) {
  const { api, cache } = useApp();
  const [confirmed, setConfirmed] = useState<{ stop: boolean; force: boolean }>({
    stop: false,
    force: false,
  });
  const [refusal, setRefusal] = useState<RollbackRefusal | null>(null);
  const [busy, setBusy] = useState(false);

  const attempt = async () => {
    const flags = refusal ? { ...confirmed, [refusal.needs]: true } : confirmed;
    setConfirmed(flags);
    setBusy(true);
    try {
      const query = {
        ...(org ? { org } : {}),
        ...(flags.stop ? { stop: 'true' as const } : {}),
        ...(flags.force ? { force: 'true' as const } : {}),
      };
      track(await api.rollbackVmSnapshot({ params: { id: vm.id, name: snapshot }, query }));
      cache.invalidate(['envs']);
      onClose();
    } catch (error) {
      const next = rollbackRefusal(error);
      if (next) setRefusal(next);
      else {
        toastError(`Could not roll ${vm.id} back to ${snapshot}`, error);
        onClose();
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <ConfirmDialog
      open
      title={`Roll ${vm.id} back to ${snapshot}?`}
      confirmLabel={refusal ? CONFIRM_LABELS[refusal.needs] : 'Roll back'}
      danger
      busy={busy}
      onConfirm={attempt}
      onClose={onClose}
    >
      {refusal ? (
        <p data-testid="rollback-refusal">
          <strong>{refusal.reason}.</strong>{' '}
          {refusal.needs === 'force'
            ? 'Confirm to destroy them along with every change since this snapshot.'
            : 'Confirm to stop it first.'}
        </p>
      ) : (
        <p>
          The disks and configuration go back to how they were at {snapshot}; every change made
          since is lost.
        </p>
      )}
    </ConfirmDialog>
  );
}
