import type { Role, User } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { formatAgo, formatDateTime } from '../../lib/format.js';
import { canManageUsers, roleChoices, roleLabel } from '../../lib/tenancy-access.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { useNow } from '../../state/use-now.js';
import { useOrgName } from '../../state/use-orgs.js';
import { useQuery } from '../../state/use-query.js';
import { Button } from '../../ui/button.js';
import { ConfirmDialog } from '../../ui/confirm-dialog.js';
import { EmptyState, LoadState, PageHeader, Panel } from '../../ui/page.js';
import { StateChip } from '../../ui/state-chip.js';
import { CreateUserDialog } from './create-user-dialog.js';

/** Users of the caller's organization (every user for super-admins). */
export function UsersView() {
  const { api, whoami } = useApp();
  const users = useQuery('users', (a) => a.listUsers({ query: { limit: 1000 } }), ['tenancy']);
  const orgName = useOrgName();
  const { run, pending } = useAction();
  const now = useNow(30_000);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<User | null>(null);
  const manage = canManageUsers(whoami?.role);

  const update = (user: User, body: { role?: Role; disabled?: boolean }) =>
    run(`update:${user.id}`, () => api.updateUser({ params: { id: user.id }, body }), {
      errorTitle: `Could not change ${user.username}`,
      success: updateToast(user.username, body),
      invalidate: ['tenancy'],
    });

  const remove = async (user: User) => {
    await run('delete', () => api.deleteUser({ params: { id: user.id } }), {
      errorTitle: `Could not delete ${user.username}`,
      success: `Deleted ${user.username}`,
      invalidate: ['tenancy'],
    });
    setDeleting(null);
  };

  return (
    <div class="page">
      <PageHeader
        title="Users"
        subtitle={
          whoami?.role === 'super_admin'
            ? 'Everyone who can sign in, in every organization.'
            : `Everyone who can sign in to ${whoami?.org?.name ?? 'your organization'}.`
        }
        actions={
          manage ? (
            <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
              New user
            </Button>
          ) : null
        }
      />
      <Panel title="Users" flush testId="users">
        {!users.data ? (
          <LoadState
            loading={users.loading}
            error={users.error}
            onRetry={users.refetch}
            what="users"
          />
        ) : users.data.items.length === 0 ? (
          <EmptyState icon="users" title="No users" />
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th>User</th>
                <th>Role</th>
                <th>Organization</th>
                <th>Status</th>
                <th>Created</th>
                <th class="actions-col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((user) => {
                const self = user.id === whoami?.user?.id;
                const choices = manage && !self ? roleChoices(whoami?.role, user) : [];
                return (
                  <tr key={user.id} data-testid="user-row" data-username={user.username}>
                    <td class="strong">
                      {user.username}
                      {self ? <span class="muted"> (you)</span> : null}
                    </td>
                    <td>
                      {choices.length > 1 ? (
                        <select
                          aria-label={`Role of ${user.username}`}
                          value={user.role}
                          disabled={pending === `update:${user.id}`}
                          onChange={(e) =>
                            void update(user, { role: e.currentTarget.value as Role })
                          }
                        >
                          {choices.map((r) => (
                            <option key={r} value={r}>
                              {roleLabel(r)}
                            </option>
                          ))}
                        </select>
                      ) : (
                        roleLabel(user.role)
                      )}
                    </td>
                    <td data-testid="user-org">{orgName(user.org_id, '—')}</td>
                    <td>
                      <StateChip state={user.disabled ? 'disabled' : 'active'} />
                    </td>
                    <td class="muted" title={formatDateTime(user.created_at)}>
                      {formatAgo(user.created_at, now)}
                    </td>
                    <td class="actions-col">
                      {manage && !self ? (
                        <div class="actions">
                          <Button
                            size="sm"
                            variant="ghost"
                            busy={pending === `update:${user.id}`}
                            onClick={() => void update(user, { disabled: !user.disabled })}
                          >
                            {user.disabled ? 'Enable' : 'Disable'}
                          </Button>
                          <Button size="sm" variant="ghost" onClick={() => setDeleting(user)}>
                            Delete
                          </Button>
                        </div>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Panel>
      {creating ? <CreateUserDialog onClose={() => setCreating(false)} /> : null}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.username ?? ''}?`}
        confirmLabel="Delete user"
        danger
        busy={pending === 'delete'}
        onConfirm={() => deleting && remove(deleting)}
        onClose={() => setDeleting(null)}
      >
        <p>They can no longer sign in, and their API keys stop working.</p>
      </ConfirmDialog>
    </div>
  );
}

function updateToast(username: string, body: { role?: Role; disabled?: boolean }): string {
  if (body.role) return `${username} is now ${roleLabel(body.role)}`;
  return body.disabled ? `Disabled ${username}: signed out everywhere` : `Enabled ${username}`;
}
