import { CreateRegistryReq } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { checkForm } from '../../lib/form-errors.js';
import { useApp } from '../../state/app-context.js';
import { useFormSubmit } from '../../state/use-form-submit.js';
import { describedBy, Field } from '../../ui/field.js';
import { FormDialog } from '../../ui/form-dialog.js';

const FIELDS = ['name', 'url', 'token'] as const;

/**
 * Adds a Vagrant-compatible box registry. The token goes into the request body only: the
 * controller keeps it encrypted and never shows it again, and it dies with this dialog.
 */
export function AddRegistryDialog({ onClose }: { onClose: () => void }) {
  const { api } = useApp();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const { errors, busy, submit } = useFormSubmit({
    fields: FIELDS,
    fallback: 'name',
    check: () =>
      checkForm(CreateRegistryReq, { name, url, ...(token ? { token } : {}) }, FIELDS, 'name'),
    send: (body) => api.createRegistry({ body }),
    errorTitle: () => 'Could not add the registry',
    success: (body) => `Added ${body.name}`,
    invalidate: ['images'],
    onDone: onClose,
  });
  return (
    <FormDialog
      title="Add a box registry"
      testId="add-registry-dialog"
      submitLabel="Add registry"
      busy={busy}
      onSubmit={submit}
      onClose={onClose}
    >
      <Field id="registry-name" label="Registry name" error={errors.name}>
        <input
          {...describedBy('registry-name', errors.name)}
          placeholder="acme"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          spellcheck={false}
        />
      </Field>
      <Field
        id="registry-url"
        label="Registry URL"
        error={errors.url}
        hint="BoxVault, Vagrant Cloud"
      >
        <input
          {...describedBy('registry-url', errors.url)}
          placeholder="https://boxes.example.org"
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
          spellcheck={false}
        />
      </Field>
      <Field
        id="registry-token"
        label="Registry token"
        optional
        error={errors.token}
        hint="Kept encrypted by the controller, never shown again."
      >
        <input
          {...describedBy('registry-token', errors.token)}
          type="password"
          autocomplete="off"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
      </Field>
    </FormDialog>
  );
}
