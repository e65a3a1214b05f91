import type { Vm } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { type VmEditField, vmEditDefaults, vmUpdateFromForm } from '../../lib/vm-edit-form.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { Button } from '../../ui/button.js';
import { Dialog } from '../../ui/dialog.js';
import { describedBy, Field } from '../../ui/field.js';
import { Icon } from '../../ui/icons.js';
import type { VmOperations } from './use-vm-operations.js';

/** Resize a VM and change its network: `PATCH /v1/vms/{id}` with what the person changed. */
export function VmEditDialog({
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
  const [form, setForm] = useState(() => vmEditDefaults(vm));
  const [errors, setErrors] = useState<Partial<Record<VmEditField, string>>>({});
  const running = vm.state === 'running';
  const text = (field: 'cpu' | 'mem' | 'disk' | 'ports') => ({
    ...describedBy(`vm-edit-${field}`, errors[field]),
    name: field,
    value: form[field],
    onInput: (e: { currentTarget: HTMLInputElement }) =>
      setForm({ ...form, [field]: e.currentTarget.value }),
  });

  const submit = async (event: Event) => {
    event.preventDefault();
    const result = vmUpdateFromForm(vm, form);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    const query = {
      ...(org ? { org } : {}),
      ...(result.restart ? { restart: 'true' as const } : {}),
    };
    const accepted = await run(
      'update',
      () => api.updateVm({ params: { id: vm.id }, query, body: result.body }),
      { errorTitle: `Could not change ${vm.id}`, invalidate: ['envs'] },
    );
    track(accepted);
    if (accepted) onClose();
  };

  return (
    <Dialog
      open
      title={`Change ${vm.id}`}
      onClose={onClose}
      testId="vm-edit-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="vm-edit-form" busy={pending === 'update'}>
            Save changes
          </Button>
        </>
      }
    >
      <form id="vm-edit-form" class="form" onSubmit={submit}>
        {errors.form ? (
          <p class="form-error" role="alert">
            <Icon name="alert" size={14} /> {errors.form}
          </p>
        ) : null}
        <div class="form-grid">
          <Field id="vm-edit-cpu" label="vCPUs" error={errors.cpu}>
            <input {...text('cpu')} inputMode="numeric" />
          </Field>
          <Field id="vm-edit-mem" label="Memory" error={errors.mem} hint="e.g. 8G or 512M">
            <input {...text('mem')} />
          </Field>
          <Field
            id="vm-edit-disk"
            label="Boot disk"
            error={errors.disk}
            hint="grows only, e.g. 60G"
          >
            <input {...text('disk')} />
          </Field>
          <Field
            id="vm-edit-ports"
            label="Forwarded ports"
            error={errors.ports}
            hint="besides 22, e.g. 80, 443"
          >
            <input {...text('ports')} />
          </Field>
        </div>
        <label class="check">
          <input
            type="checkbox"
            name="deny_outgoing"
            checked={form.deny_outgoing}
            onChange={(e) => setForm({ ...form, deny_outgoing: e.currentTarget.checked })}
          />
          Block outgoing connections
        </label>
        {running ? (
          <label class="check">
            <input
              type="checkbox"
              name="restart"
              checked={form.restart}
              onChange={(e) => setForm({ ...form, restart: e.currentTarget.checked })}
            />
            Restart now so cpu, memory and disk changes apply (otherwise at the next start)
          </label>
        ) : null}
      </form>
    </Dialog>
  );
}
