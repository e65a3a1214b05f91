import type { Role } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { grantableRoles, roleLabel } from '../../lib/tenancy-access.js';
import {
  type UserFormErrors,
  type UserFormState,
  userFormRefusal,
  userRequestFromForm,
} from '../../lib/user-form.js';
import { useApp } from '../../state/app-context.js';
import { pushToast, toastError } from '../../state/toasts.js';
import { useOrgs } from '../../state/use-orgs.js';
import { Button } from '../../ui/button.js';
import { Dialog } from '../../ui/dialog.js';
import { describedBy, Field } from '../../ui/field.js';

export function CreateUserDialog({ onClose }: { onClose: () => void }) {
  const { api, cache, whoami } = useApp();
  const orgs = useOrgs();
  const roles = grantableRoles(whoami?.role);
  const superAdmin = whoami?.role === 'super_admin';
  const [form, setForm] = useState<UserFormState>({
    username: '',
    password: '',
    role: 'member',
    org_id: '',
  });
  const [errors, setErrors] = useState<UserFormErrors>({});
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof UserFormState>(key: K, value: UserFormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  // Organizations come oldest first: the default one, until the operator picks another.
  const orgId = form.org_id || (orgs.data?.items[0]?.id ?? '');

  const submit = async (event: Event) => {
    event.preventDefault();
    const checked = userRequestFromForm({ ...form, org_id: orgId });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    setBusy(true);
    try {
      const user = await api.createUser({ body: checked.value });
      pushToast({ kind: 'success', title: `Created ${user.username}` });
      cache.invalidate(['tenancy']);
      onClose();
    } catch (error) {
      setErrors(userFormRefusal(error));
      toastError('The user was not created', error);
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      title="New user"
      onClose={onClose}
      testId="create-user-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="user-form" busy={busy}>
            Create user
          </Button>
        </>
      }
    >
      <form id="user-form" class="form" onSubmit={submit} noValidate>
        <Field
          id="user-username"
          label="Username"
          error={errors.username}
          hint="2-32 lowercase letters, digits, . _ -"
        >
          <input
            {...describedBy('user-username', errors.username)}
            autocomplete="off"
            value={form.username}
            onInput={(e) => set('username', e.currentTarget.value)}
          />
        </Field>
        <Field
          id="user-password"
          label="Password"
          error={errors.password}
          hint="At least 12 characters. Give it to them by a safe channel."
        >
          <input
            {...describedBy('user-password', errors.password)}
            type="password"
            autocomplete="new-password"
            value={form.password}
            onInput={(e) => set('password', e.currentTarget.value)}
          />
        </Field>
        <Field id="user-role" label="Role" error={errors.role} hint="At most your own role.">
          <select
            {...describedBy('user-role', errors.role)}
            value={form.role}
            onChange={(e) => set('role', e.currentTarget.value as Role)}
          >
            {roles.map((r) => (
              <option key={r} value={r}>
                {roleLabel(r)}
              </option>
            ))}
          </select>
        </Field>
        {superAdmin && form.role !== 'super_admin' ? (
          <Field id="user-org" label="Organization" error={errors.org_id}>
            <select
              {...describedBy('user-org', errors.org_id)}
              value={orgId}
              onChange={(e) => set('org_id', e.currentTarget.value)}
            >
              {(orgs.data?.items ?? []).map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
      </form>
    </Dialog>
  );
}
