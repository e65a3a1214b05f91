import { CreateOrgReq } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { checkForm, type FieldErrors, refusalByField } from '../../lib/form-errors.js';
import { useApp } from '../../state/app-context.js';
import { pushToast, toastError } from '../../state/toasts.js';
import { Button } from '../../ui/button.js';
import { Dialog } from '../../ui/dialog.js';
import { describedBy, Field } from '../../ui/field.js';

const FIELDS = ['name'] as const;

export function CreateOrgDialog({ onClose }: { onClose: () => void }) {
  const { api, cache } = useApp();
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<FieldErrors<'name'>>({});
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const checked = checkForm(CreateOrgReq, { name: name.trim() }, FIELDS, 'name');
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    setBusy(true);
    try {
      const org = await api.createOrg({ body: checked.value });
      pushToast({ kind: 'success', title: `Created ${org.name}` });
      cache.invalidate(['tenancy']);
      onClose();
    } catch (error) {
      setErrors(refusalByField(error, FIELDS, 'name'));
      toastError('The organization was not created', error);
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      title="New organization"
      onClose={onClose}
      testId="create-org-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="org-form" busy={busy}>
            Create organization
          </Button>
        </>
      }
    >
      <form id="org-form" class="form" onSubmit={submit} noValidate>
        <Field
          id="org-name"
          label="Name"
          error={errors.name}
          hint="Letters, digits, spaces and . _ @ -"
        >
          <input
            {...describedBy('org-name', errors.name)}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
      </form>
    </Dialog>
  );
}
