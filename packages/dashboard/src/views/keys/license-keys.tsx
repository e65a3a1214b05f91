import { type CreatedLicenseKey, CreateLicenseKeyReq, type LicenseKey } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { formatDateTime } from '../../lib/format.js';
import { seesEveryOrg } from '../../lib/tenancy-access.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { useOrgName } from '../../state/use-orgs.js';
import { useQuery } from '../../state/use-query.js';
import { Button } from '../../ui/button.js';
import { ConfirmDialog } from '../../ui/confirm-dialog.js';
import { Dialog } from '../../ui/dialog.js';
import { describedBy, Field } from '../../ui/field.js';
import { EmptyState, LoadState, Panel } from '../../ui/page.js';
import { StateChip } from '../../ui/state-chip.js';
import { SecretDialog } from './secret-dialog.js';

/** License keys let host agents register themselves with the controller. */
export function LicenseKeysSection() {
  const { api, whoami } = useApp();
  const orgName = useOrgName();
  const showOrg = seesEveryOrg(whoami?.role);
  const keys = useQuery('license-keys', (a) => a.listLicenseKeys({ query: { limit: 1000 } }), [
    'keys',
  ]);
  const { run, pending } = useAction();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedLicenseKey | null>(null);
  const [revoking, setRevoking] = useState<LicenseKey | null>(null);

  const revoke = async (key: LicenseKey) => {
    await run('revoke', () => api.revokeLicenseKey({ params: { id: key.id } }), {
      errorTitle: `Could not revoke ${key.name}`,
      success: `Revoked ${key.name}`,
      invalidate: ['keys'],
    });
    setRevoking(null);
  };

  return (
    <Panel
      title="Host license keys"
      flush
      testId="license-keys"
      actions={
        <Button size="sm" icon="plus" onClick={() => setCreating(true)}>
          New license key
        </Button>
      }
    >
      {!keys.data ? (
        <LoadState
          loading={keys.loading}
          error={keys.error}
          onRetry={keys.refetch}
          what="license keys"
        />
      ) : keys.data.items.length === 0 ? (
        <EmptyState icon="keys" title="No license keys">
          Agents register with one of these.
        </EmptyState>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              {showOrg ? <th>Organization</th> : null}
              <th class="num">Hosts</th>
              <th>Created</th>
              <th>Status</th>
              <th class="actions-col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.items.map((key) => (
              <tr key={key.id}>
                <td class="strong">{key.name}</td>
                <td class="mono">{key.prefix}…</td>
                {showOrg ? <td data-testid="key-org">{orgName(key.org_id)}</td> : null}
                <td class="num">{key.hosts}</td>
                <td class="muted">{formatDateTime(key.created_at)}</td>
                <td>
                  {key.revoked_at ? <StateChip state="revoked" /> : <StateChip state="active" />}
                </td>
                <td class="actions-col">
                  {key.revoked_at ? null : (
                    <Button size="sm" variant="ghost" onClick={() => setRevoking(key)}>
                      Revoke
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating ? (
        <CreateLicenseKeyDialog
          onClose={() => setCreating(false)}
          onCreated={(key) => {
            setCreating(false);
            setCreated(key);
          }}
        />
      ) : null}
      {created ? (
        <SecretDialog
          title={`License key ${created.name}`}
          secret={created.key}
          usage="Put it in a file readable only by the agent and start it with --license-key-file FILE."
          onClose={() => setCreated(null)}
        />
      ) : null}
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke ${revoking?.name ?? ''}?`}
        confirmLabel="Revoke key"
        danger
        busy={pending === 'revoke'}
        onConfirm={() => revoking && revoke(revoking)}
        onClose={() => setRevoking(null)}
      >
        <p>New hosts cannot register with it. Hosts already registered keep working.</p>
      </ConfirmDialog>
    </Panel>
  );
}

function CreateLicenseKeyDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (key: CreatedLicenseKey) => void;
}) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submit = async (event: Event) => {
    event.preventDefault();
    const body = CreateLicenseKeyReq.safeParse({ name: name.trim() });
    if (!body.success) return setError(body.error.issues[0]?.message);
    setError(undefined);
    const key = await run('create', () => api.createLicenseKey({ body: body.data }), {
      errorTitle: 'Could not create the license key',
      invalidate: ['keys'],
    });
    if (key) onCreated(key);
  };
  return (
    <Dialog
      open
      title="New license key"
      onClose={onClose}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button
            variant="primary"
            type="submit"
            form="license-key-form"
            busy={pending === 'create'}
          >
            Create key
          </Button>
        </>
      }
    >
      <form id="license-key-form" class="form" onSubmit={submit}>
        <Field id="license-key-name" label="Name" error={error} hint="e.g. rack-3 or lab-hosts.">
          <input
            {...describedBy('license-key-name', error)}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
      </form>
    </Dialog>
  );
}
