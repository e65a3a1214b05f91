import { formatBytes, formatMiB, type Vm, type VmDisk } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { diskFromText } from '../../lib/vm-change-fields.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { Button } from '../../ui/button.js';
import { ConfirmDialog } from '../../ui/confirm-dialog.js';
import { describedBy, Field } from '../../ui/field.js';
import { Panel } from '../../ui/page.js';
import type { VmOperations } from './use-vm-operations.js';

/** Data disks besides the boot disk: their size and use, add one of a size, remove one. */
export function VmDisksPanel({
  vm,
  org,
  busy,
  track,
}: {
  vm: Vm;
  org: string | undefined;
  busy: boolean;
  track: VmOperations['track'];
}) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const [size, setSize] = useState('20G');
  const [error, setError] = useState<string | undefined>();
  const [removing, setRemoving] = useState<VmDisk | null>(null);
  const query = org ? { org } : undefined;
  const disks = vm.disks ?? [];

  const add = async (event: Event) => {
    event.preventDefault();
    const parsed = diskFromText(size);
    if (!parsed.ok) return setError(parsed.error);
    setError(undefined);
    track(
      await run('add', () => api.addVmDisk({ params: { id: vm.id }, query, body: parsed.value }), {
        errorTitle: `Could not add a disk to ${vm.id}`,
        invalidate: ['envs'],
      }),
    );
  };
  const remove = async (disk: VmDisk) => {
    const accepted = await run(
      'remove',
      () => api.removeVmDisk({ params: { id: vm.id, n: disk.n }, query }),
      { errorTitle: `Could not remove disk${disk.n} of ${vm.id}`, invalidate: ['envs'] },
    );
    track(accepted);
    setRemoving(null);
  };

  return (
    <Panel title="Data disks" flush testId="vm-disks">
      {disks.length === 0 ? (
        <p class="muted panel-note">No data disks: only the boot disk.</p>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th>Disk</th>
              <th>Size</th>
              <th>Used</th>
              <th class="actions-col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {disks.map((d) => (
              <tr key={d.n} data-testid="disk-row" data-disk={d.n}>
                <td class="mono">disk{d.n}</td>
                <td>{formatMiB(d.size)}</td>
                <td>{d.used === null ? '—' : formatBytes(d.used)}</td>
                <td class="actions-col">
                  <Button
                    size="sm"
                    variant="ghost"
                    icon="trash"
                    disabled={busy}
                    aria-label={`Remove disk${d.n}`}
                    onClick={() => setRemoving(d)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="inline-form" onSubmit={add} data-testid="add-disk-form">
        <Field id="add-disk-size" label="New disk size" error={error}>
          <input
            {...describedBy('add-disk-size', error)}
            value={size}
            onInput={(e) => setSize(e.currentTarget.value)}
          />
        </Field>
        <Button type="submit" icon="plus" busy={pending === 'add'} disabled={busy}>
          Add disk
        </Button>
      </form>
      <ConfirmDialog
        open={removing !== null}
        title={`Remove disk${removing?.n ?? ''}?`}
        confirmLabel="Remove disk"
        danger
        busy={pending === 'remove'}
        onConfirm={() => removing && remove(removing)}
        onClose={() => setRemoving(null)}
      >
        <p>
          The disk and everything on it are destroyed. A running VM must be stopped first unless it
          has not seen the disk yet.
        </p>
      </ConfirmDialog>
    </Panel>
  );
}
