import type { ConnectionTestResult } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import {
  type AddHostErrors,
  type AddHostFormState,
  type AgentCredential,
  addHostRefusal,
  addHostRequestFromForm,
  initialAddHostForm,
} from '../../lib/add-host-form.js';
import { seesEveryOrg } from '../../lib/tenancy-access.js';
import { useApp } from '../../state/app-context.js';
import { pushToast, toastError } from '../../state/toasts.js';
import { useOrgs } from '../../state/use-orgs.js';
import { Button } from '../../ui/button.js';
import { Dialog } from '../../ui/dialog.js';
import { describedBy, Field } from '../../ui/field.js';
import { ConnectionTestPanel } from './connection-test-panel.js';

const CREDENTIALS: Record<AgentCredential, { label: string; hint: string }> = {
  api_key: {
    label: 'API key',
    hint: 'An operator key made on the host: apiary-agent keys create.',
  },
  bootstrap_token: {
    label: 'Bootstrap token',
    hint: 'The claim token the agent printed; the controller trades it for a key.',
  },
};

/**
 * Adds an agent that runs without a license key, by its address: test the connection first
 * (reachable, its version, the certificate it presents), then add. The key or token typed here
 * goes only into the request bodies; the form state dies with the dialog.
 */
export function AddHostDialog({ onClose }: { onClose: () => void }) {
  const { api, cache, whoami } = useApp();
  const orgs = useOrgs();
  const [form, setForm] = useState<AddHostFormState>(initialAddHostForm);
  const [errors, setErrors] = useState<AddHostErrors>({});
  const [tested, setTested] = useState<ConnectionTestResult | null>(null);
  const [busy, setBusy] = useState<'test' | 'add' | null>(null);
  const set = <K extends keyof AddHostFormState>(key: K, value: AddHostFormState[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    // A result is about what was tested: it goes stale as soon as the form changes.
    setTested(null);
  };

  const checked = () => {
    const result = addHostRequestFromForm(form);
    setErrors(result.ok ? {} : result.errors);
    return result.ok ? result.value : null;
  };

  const test = async () => {
    const body = checked();
    if (!body) return;
    setBusy('test');
    try {
      setTested(await api.testHost({ body }));
    } catch (error) {
      setErrors(addHostRefusal(error));
      toastError('The connection test did not run', error);
    } finally {
      setBusy(null);
    }
  };

  const add = async (event: Event) => {
    event.preventDefault();
    const body = checked();
    if (!body) return;
    setBusy('add');
    try {
      const host = await api.addHost({ body });
      pushToast({ kind: 'success', title: `Added ${host.hostname}` });
      cache.invalidate(['hosts', 'status']);
      onClose();
    } catch (error) {
      setErrors(addHostRefusal(error));
      toastError('The host was not added', error);
      setBusy(null);
    }
  };

  return (
    <Dialog
      open
      wide
      title="Add a host by address"
      onClose={onClose}
      testId="add-host-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button busy={busy === 'test'} onClick={() => void test()} data-testid="test-connection">
            Test connection
          </Button>
          <Button variant="primary" type="submit" form="add-host-form" busy={busy === 'add'}>
            Add host
          </Button>
        </>
      }
    >
      <form id="add-host-form" class="form" onSubmit={add} noValidate autocomplete="off">
        <Field
          id="add-host-addr"
          label="Agent address"
          error={errors.addr}
          hint="host:port or https://host:port, as the agent listens."
        >
          <input
            {...describedBy('add-host-addr', errors.addr)}
            placeholder="10.0.0.2:9100"
            value={form.addr}
            onInput={(e) => set('addr', e.currentTarget.value)}
          />
        </Field>
        <Field id="add-host-credential" label="Credential">
          <select
            id="add-host-credential"
            value={form.credential}
            onChange={(e) => set('credential', e.currentTarget.value as AgentCredential)}
          >
            {(Object.keys(CREDENTIALS) as AgentCredential[]).map((c) => (
              <option key={c} value={c}>
                {CREDENTIALS[c].label}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="add-host-secret"
          label={CREDENTIALS[form.credential].label}
          error={errors.secret}
          hint={CREDENTIALS[form.credential].hint}
          optional
        >
          <input
            {...describedBy('add-host-secret', errors.secret)}
            type="password"
            autocomplete="off"
            spellcheck={false}
            value={form.secret}
            onInput={(e) => set('secret', e.currentTarget.value)}
          />
        </Field>
        <Field
          id="add-host-fingerprint"
          label="Certificate fingerprint"
          error={errors.tls_fingerprint}
          hint="From apiary-agent info on the host. Required to add an https:// agent: it is pinned."
          optional
          wide
        >
          <input
            {...describedBy('add-host-fingerprint', errors.tls_fingerprint)}
            class="mono"
            placeholder="sha256:…"
            spellcheck={false}
            value={form.tls_fingerprint}
            onInput={(e) => set('tls_fingerprint', e.currentTarget.value)}
          />
        </Field>
        {seesEveryOrg(whoami?.role) ? (
          <Field id="add-host-org" label="Organization" error={errors.org_id}>
            <select
              {...describedBy('add-host-org', errors.org_id)}
              value={form.org_id}
              onChange={(e) => set('org_id', e.currentTarget.value)}
            >
              <option value="">your default organization</option>
              {(orgs.data?.items ?? []).map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        <Field
          id="add-host-public"
          label="Public address"
          error={errors.public_addr}
          hint="Where users reach forwarded ports; default the agent's."
          optional
        >
          <input
            {...describedBy('add-host-public', errors.public_addr)}
            value={form.public_addr}
            onInput={(e) => set('public_addr', e.currentTarget.value)}
          />
        </Field>
      </form>
      {tested ? (
        <ConnectionTestPanel
          result={tested}
          pinned={form.tls_fingerprint.trim() !== ''}
          onPin={(fingerprint) => set('tls_fingerprint', fingerprint)}
        />
      ) : null}
    </Dialog>
  );
}
