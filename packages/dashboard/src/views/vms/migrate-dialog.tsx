import type { Vm } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { Button } from '../../ui/button.js';
import { Dialog } from '../../ui/dialog.js';
import { Field } from '../../ui/field.js';
import type { VmOperations } from './use-vm-operations.js';

/**
 * Move a VM to another host (issue 15): `POST /v1/vms/{id}/migrate`, to the host typed, or
 * where placement puts it when left empty. The operation's progress shows in the Operations
 * panel while the disks are copied.
 */
export function MigrateDialog({
  vm,
  org,
  track,
  onClose,
}: {
  vm: Vm;
  org: string | undefined;
  track: VmOperations['track'];
  onClose: () => void;
}) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const [to, setTo] = useState('');

  const submit = async (event: Event) => {
    event.preventDefault();
    const target = to.trim();
    const accepted = await run(
      'migrate',
      () =>
        api.migrateVm({
          params: { id: vm.id },
          query: org ? { org } : undefined,
          body: target ? { to: target } : {},
        }),
      { errorTitle: `Could not move ${vm.id}`, invalidate: ['envs', 'hosts'] },
    );
    track(accepted);
    if (accepted) onClose();
  };

  return (
    <Dialog
      open
      title={`Move ${vm.id} to another host`}
      onClose={onClose}
      testId="vm-migrate-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button
            variant="primary"
            type="submit"
            form="vm-migrate-form"
            busy={pending === 'migrate'}
          >
            Move
          </Button>
        </>
      }
    >
      <form id="vm-migrate-form" class="form" onSubmit={submit}>
        <p class="muted">
          The disks are copied while the VM runs, then it stops for the last changes and starts on
          the new host{vm.state === 'running' ? '' : ' (it stays stopped)'}. Its address and ports
          may change if they are taken there.
        </p>
        <Field id="vm-migrate-to" label="Host id" hint="leave empty to let placement choose">
          <input
            id="vm-migrate-to"
            name="to"
            value={to}
            onInput={(e) => setTo(e.currentTarget.value)}
          />
        </Field>
      </form>
    </Dialog>
  );
}
