import { formatBytes, formatMiB, type Vm, type VmSnapshot } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { formatDateTime } from '../../lib/format.js';
import { snapshotNameFromText } from '../../lib/vm-change-fields.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { useQuery } from '../../state/use-query.js';
import { Button } from '../../ui/button.js';
import { ConfirmDialog } from '../../ui/confirm-dialog.js';
import { describedBy, Field } from '../../ui/field.js';
import { Panel } from '../../ui/page.js';
import { RollbackDialog } from './rollback-dialog.js';
import { CloneDialog, PublishDialog } from './snapshot-dialogs.js';
import type { VmOperations } from './use-vm-operations.js';

type Open = { kind: 'rollback' | 'clone' | 'publish' | 'delete'; snapshot: VmSnapshot } | null;

/** `2 vCPU · 1 GiB · 40 GiB +1 disk`: the machine a snapshot keeps. */
function machineText(s: VmSnapshot): string {
  const m = s.machine;
  const extra =
    m.disks.length > 0 ? ` +${m.disks.length} disk${m.disks.length > 1 ? 's' : ''}` : '';
  return `${m.cpu} vCPU · ${formatMiB(m.mem)} · ${formatMiB(m.disk)}${extra}`;
}

/** Snapshots of all the VM's disks: take one, roll back, clone, publish, delete. */
export function VmSnapshotsPanel({
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
  const query = org ? { org } : undefined;
  const snapshots = useQuery(
    `vm-snapshots:${org ?? ''}:${vm.id}`,
    (a) => a.listVmSnapshots({ params: { id: vm.id }, query: { limit: 1000, ...query } }),
    ['envs'],
  );
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [open, setOpen] = useState<Open>(null);
  const list = snapshots.data?.items ?? [];

  const take = async (event: Event) => {
    event.preventDefault();
    const parsed = snapshotNameFromText(name);
    if (!parsed.ok) return setError(parsed.error);
    setError(undefined);
    const accepted = await run(
      'snapshot',
      () => api.createVmSnapshot({ params: { id: vm.id }, query, body: { name: parsed.value } }),
      { errorTitle: `Could not snapshot ${vm.id}`, invalidate: ['envs'] },
    );
    track(accepted);
    if (accepted) setName('');
  };
  const remove = async (snapshot: VmSnapshot) => {
    track(
      await run(
        'delete',
        () => api.deleteVmSnapshot({ params: { id: vm.id, name: snapshot.name }, query }),
        { errorTitle: `Could not delete ${vm.id}@${snapshot.name}`, invalidate: ['envs'] },
      ),
    );
    setOpen(null);
  };
  const dialogProps = (snapshot: VmSnapshot) => ({
    vm,
    org,
    track,
    onClose: () => setOpen(null),
    snapshot,
  });

  return (
    <Panel title="Snapshots" flush testId="vm-snapshots">
      {list.length === 0 ? (
        <p class="muted panel-note">
          {snapshots.loading
            ? 'Loading…'
            : 'No snapshots yet. A snapshot keeps every disk and the configuration at one instant.'}
        </p>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Taken</th>
                <th>Machine</th>
                <th>Space</th>
                <th>Clones</th>
                <th class="actions-col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.name} data-testid="snapshot-row" data-snapshot={s.name}>
                  <td class="mono strong">{s.name}</td>
                  <td class="nowrap">{formatDateTime(s.created_at)}</td>
                  <td class="nowrap">{machineText(s)}</td>
                  <td>{s.used === null ? '—' : formatBytes(s.used)}</td>
                  <td class="mono">{s.clones.join(', ') || '—'}</td>
                  <td class="actions-col">
                    <div class="actions">
                      <Button
                        size="sm"
                        icon="restart"
                        disabled={busy}
                        onClick={() => setOpen({ kind: 'rollback', snapshot: s })}
                      >
                        Roll back
                      </Button>
                      <Button
                        size="sm"
                        icon="copy"
                        disabled={busy}
                        onClick={() => setOpen({ kind: 'clone', snapshot: s })}
                      >
                        Clone
                      </Button>
                      <Button
                        size="sm"
                        icon="upload"
                        disabled={busy}
                        onClick={() => setOpen({ kind: 'publish', snapshot: s })}
                      >
                        Publish
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        icon="trash"
                        disabled={busy}
                        aria-label={`Delete snapshot ${s.name}`}
                        onClick={() => setOpen({ kind: 'delete', snapshot: s })}
                      />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form class="inline-form" onSubmit={take} data-testid="take-snapshot-form">
        <Field id="snapshot-name" label="Snapshot name" error={error}>
          <input
            {...describedBy('snapshot-name', error)}
            placeholder="before-upgrade"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <Button type="submit" icon="plus" busy={pending === 'snapshot'} disabled={busy}>
          Take snapshot
        </Button>
      </form>
      {open?.kind === 'rollback' ? (
        <RollbackDialog
          vm={vm}
          org={org}
          track={track}
          snapshot={open.snapshot.name}
          onClose={() => setOpen(null)}
        />
      ) : null}
      {open?.kind === 'clone' ? <CloneDialog {...dialogProps(open.snapshot)} /> : null}
      {open?.kind === 'publish' ? <PublishDialog {...dialogProps(open.snapshot)} /> : null}
      <ConfirmDialog
        open={open?.kind === 'delete'}
        title={`Delete snapshot ${open?.snapshot.name ?? ''}?`}
        confirmLabel="Delete snapshot"
        danger
        busy={pending === 'delete'}
        onConfirm={() => open && remove(open.snapshot)}
        onClose={() => setOpen(null)}
      >
        <p>The snapshot's space is freed. VMs cloned from it must be deleted first.</p>
      </ConfirmDialog>
    </Panel>
  );
}
