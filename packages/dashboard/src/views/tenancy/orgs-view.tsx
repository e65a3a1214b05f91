import type { Organization } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { formatAgo, formatDateTime } from '../../lib/format.js';
import { onLinkClick } from '../../lib/router.js';
import { hrefFor } from '../../lib/routes.js';
import { canManageOrgs } from '../../lib/tenancy-access.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { useNow } from '../../state/use-now.js';
import { useOrgs } from '../../state/use-orgs.js';
import { useQuery } from '../../state/use-query.js';
import { Button } from '../../ui/button.js';
import { ConfirmDialog } from '../../ui/confirm-dialog.js';
import { EmptyState, LoadState, PageHeader, Panel } from '../../ui/page.js';
import { AssignHostDialog } from './assign-host-dialog.js';
import { CreateOrgDialog } from './create-org-dialog.js';

/** Organizations with the hosts that serve them and how many users they have (super-admins). */
export function OrgsView() {
  const { api, whoami } = useApp();
  const orgs = useOrgs();
  const hosts = useQuery('hosts', (a) => a.listHosts({ query: { limit: 1000 } }), ['hosts']);
  const users = useQuery('users', (a) => a.listUsers({ query: { limit: 1000 } }), ['tenancy']);
  const { run, pending } = useAction();
  const now = useNow(30_000);
  const [creating, setCreating] = useState(false);
  const [assigning, setAssigning] = useState<Organization | null>(null);
  const [deleting, setDeleting] = useState<Organization | null>(null);
  const manage = canManageOrgs(whoami?.role);

  const remove = async (org: Organization) => {
    await run('delete', () => api.deleteOrg({ params: { id: org.id } }), {
      errorTitle: `Could not delete ${org.name}`,
      success: `Deleted ${org.name}`,
      invalidate: ['tenancy'],
    });
    setDeleting(null);
  };

  return (
    <div class="page">
      <PageHeader
        title="Organizations"
        subtitle="Tenants: each has its users, environments, images and the hosts that serve it."
        actions={
          manage ? (
            <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
              New organization
            </Button>
          ) : null
        }
      />
      <Panel title="Organizations" flush testId="orgs">
        {!orgs.data ? (
          <LoadState
            loading={orgs.loading}
            error={orgs.error}
            onRetry={orgs.refetch}
            what="organizations"
          />
        ) : orgs.data.items.length === 0 ? (
          <EmptyState icon="org" title="No organizations" />
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th>Organization</th>
                <th>Hosts</th>
                <th class="num">Users</th>
                <th>Created</th>
                <th class="actions-col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {orgs.data.items.map((org) => {
                const served = (hosts.data?.items ?? []).filter((h) => h.org_id === org.id);
                const members = (users.data?.items ?? []).filter((u) => u.org_id === org.id);
                return (
                  <tr key={org.id} data-testid="org-row" data-org-name={org.name}>
                    <td>
                      <div class="strong">{org.name}</div>
                      <div class="muted mono">{org.id}</div>
                    </td>
                    <td data-testid="org-hosts">
                      {served.length === 0 ? (
                        <span class="muted">no host yet</span>
                      ) : (
                        served.map((h, i) => {
                          const href = hrefFor({ name: 'host', id: h.id });
                          return (
                            <span key={h.id}>
                              {i > 0 ? ', ' : ''}
                              <a href={href} onClick={(e) => onLinkClick(e, href)}>
                                {h.hostname}
                              </a>
                            </span>
                          );
                        })
                      )}
                    </td>
                    <td class="num">{users.data ? members.length : '…'}</td>
                    <td class="muted" title={formatDateTime(org.created_at)}>
                      {formatAgo(org.created_at, now)}
                    </td>
                    <td class="actions-col">
                      {manage ? (
                        <div class="actions">
                          <Button size="sm" variant="ghost" onClick={() => setAssigning(org)}>
                            Assign host
                          </Button>
                          <Button size="sm" variant="ghost" onClick={() => setDeleting(org)}>
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
      {creating ? <CreateOrgDialog onClose={() => setCreating(false)} /> : null}
      {assigning ? <AssignHostDialog org={assigning} onClose={() => setAssigning(null)} /> : null}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? ''}?`}
        confirmLabel="Delete organization"
        danger
        busy={pending === 'delete'}
        onConfirm={() => deleting && remove(deleting)}
        onClose={() => setDeleting(null)}
      >
        <p>
          Only an empty organization can be deleted: move or delete its users, hosts, environments
          and keys first.
        </p>
      </ConfirmDialog>
    </div>
  );
}
