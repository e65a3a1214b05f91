import {
  type ApiKey,
  CreateApiKeyReq,
  type CreatedApiKey,
  type Role,
  SCOPES,
  type Scope,
} from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { formatAgo, formatDateTime } from '../../lib/format.js';
import { seesEveryOrg } from '../../lib/tenancy-access.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { useNow } from '../../state/use-now.js';
import { useOrgName } from '../../state/use-orgs.js';
import { useQuery } from '../../state/use-query.js';
import { Button } from '../../ui/button.js';
import { ConfirmDialog } from '../../ui/confirm-dialog.js';
import { Dialog } from '../../ui/dialog.js';
import { describedBy, Field } from '../../ui/field.js';
import { EmptyState, LoadState, Panel } from '../../ui/page.js';
import { StateChip } from '../../ui/state-chip.js';
import { SecretDialog } from './secret-dialog.js';

const ROLES: Role[] = ['member', 'org_admin', 'super_admin'];
const EXPIRY: Array<{ label: string; seconds?: number }> = [
  { label: 'Never' },
  { label: '30 days', seconds: 30 * 86_400 },
  { label: '90 days', seconds: 90 * 86_400 },
  { label: '1 year', seconds: 365 * 86_400 },
];

export function ApiKeysSection() {
  const { api, whoami } = useApp();
  const orgName = useOrgName();
  const showOrg = seesEveryOrg(whoami?.role);
  const keys = useQuery('api-keys', (a) => a.listApiKeys({ query: { limit: 1000 } }), ['keys']);
  const { run, pending } = useAction();
  const now = useNow(30_000);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  const revoke = async (key: ApiKey) => {
    await run('revoke', () => api.revokeApiKey({ params: { id: key.id } }), {
      errorTitle: `Could not revoke ${key.name}`,
      success: `Revoked ${key.name}`,
      invalidate: ['keys'],
    });
    setRevoking(null);
  };

  return (
    <Panel
      title="API keys"
      flush
      testId="api-keys"
      actions={
        <Button size="sm" icon="plus" onClick={() => setCreating(true)}>
          New API key
        </Button>
      }
    >
      {!keys.data ? (
        <LoadState
          loading={keys.loading}
          error={keys.error}
          onRetry={keys.refetch}
          what="API keys"
        />
      ) : keys.data.items.length === 0 ? (
        <EmptyState icon="keys" title="No API keys">
          For scripts and the apiary CLI.
        </EmptyState>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Role</th>
              {showOrg ? <th>Organization</th> : null}
              <th>Scopes</th>
              <th>Last used</th>
              <th>Expires</th>
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
                <td>{key.role.replace('_', ' ')}</td>
                {showOrg ? <td data-testid="key-org">{orgName(key.org_id, '—')}</td> : null}
                <td class="muted">{key.scopes ? key.scopes.join(', ') : 'all'}</td>
                <td class="muted">
                  {key.last_used_at ? formatAgo(key.last_used_at, now) : 'never'}
                </td>
                <td class="muted">{key.expires_at ? formatDateTime(key.expires_at) : 'never'}</td>
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
        <CreateApiKeyDialog
          onClose={() => setCreating(false)}
          onCreated={(key) => {
            setCreating(false);
            setCreated(key);
          }}
        />
      ) : null}
      {created ? (
        <SecretDialog
          title={`API key ${created.name}`}
          secret={created.key}
          usage="Send it as Authorization: Bearer <key>, or run apiary login --api-key."
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
        <p>Programs using it are refused from now on.</p>
      </ConfirmDialog>
    </Panel>
  );
}

function CreateApiKeyDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (key: CreatedApiKey) => void;
}) {
  const { api, whoami } = useApp();
  const { run, pending } = useAction();
  const ownRole = whoami?.role ?? 'member';
  const roles = ROLES.slice(0, ROLES.indexOf(ownRole) + 1);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(roles[0] ?? 'member');
  const [expiry, setExpiry] = useState(0);
  // None ticked: every scope the role allows.
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [error, setError] = useState<string | undefined>();
  const toggle = (scope: Scope, on: boolean) =>
    setScopes((list) => (on ? [...list, scope] : list.filter((s) => s !== scope)));

  const submit = async (event: Event) => {
    event.preventDefault();
    const body = CreateApiKeyReq.safeParse({
      name: name.trim(),
      role,
      expires_in: EXPIRY[expiry]?.seconds,
      scopes: scopes.length > 0 ? scopes : undefined,
    });
    if (!body.success) return setError(body.error.issues[0]?.message);
    setError(undefined);
    const key = await run('create', () => api.createApiKey({ body: body.data }), {
      errorTitle: 'Could not create the API key',
      invalidate: ['keys'],
    });
    if (key) onCreated(key);
  };

  return (
    <Dialog
      open
      title="New API key"
      onClose={onClose}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="api-key-form" busy={pending === 'create'}>
            Create key
          </Button>
        </>
      }
    >
      <form id="api-key-form" class="form" onSubmit={submit}>
        <Field id="api-key-name" label="Name" error={error} hint="What uses it, e.g. ci-runner.">
          <input
            {...describedBy('api-key-name', error)}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <Field id="api-key-role" label="Role" hint="At most your own role.">
          <select
            id="api-key-role"
            value={role}
            onChange={(e) => setRole(e.currentTarget.value as Role)}
          >
            {roles.map((r) => (
              <option key={r} value={r}>
                {r.replace('_', ' ')}
              </option>
            ))}
          </select>
        </Field>
        <Field id="api-key-expiry" label="Expires">
          <select
            id="api-key-expiry"
            value={expiry}
            onChange={(e) => setExpiry(Number(e.currentTarget.value))}
          >
            {EXPIRY.map((option, i) => (
              <option key={option.label} value={i}>
                {option.label}
              </option>
            ))}
          </select>
        </Field>
        <fieldset class="choices" data-testid="api-key-scopes">
          <legend>Scopes</legend>
          <p class="field-hint">None ticked: everything the role allows.</p>
          {(Object.entries(SCOPES) as Array<[Scope, string]>).map(([scope, what]) => (
            <label class="check" key={scope} title={what}>
              <input
                type="checkbox"
                value={scope}
                checked={scopes.includes(scope)}
                onChange={(e) => toggle(scope, e.currentTarget.checked)}
              />
              <span class="mono">{scope}</span>
            </label>
          ))}
        </fieldset>
      </form>
    </Dialog>
  );
}
