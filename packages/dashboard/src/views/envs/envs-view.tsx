import type { Env } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { formatAgo, formatDateTime } from '../../lib/format.js';
import { navigate, onLinkClick } from '../../lib/router.js';
import { hrefFor } from '../../lib/routes.js';
import { seesEveryOrg } from '../../lib/tenancy-access.js';
import { useApp } from '../../state/app-context.js';
import { useNow } from '../../state/use-now.js';
import { useOrgName } from '../../state/use-orgs.js';
import { useQuery } from '../../state/use-query.js';
import { Button } from '../../ui/button.js';
import { Countdown } from '../../ui/countdown.js';
import { EmptyState, LoadState, PageHeader } from '../../ui/page.js';
import { StateChip, toneOf } from '../../ui/state-chip.js';
import { EnvActions } from './env-actions.js';

type Filter = 'current' | 'failed' | 'deleted';

const FILTERS: Array<{ id: Filter; label: string; test: (e: Env) => boolean }> = [
  { id: 'current', label: 'Current', test: (e) => e.state !== 'deleted' },
  { id: 'failed', label: 'Failed', test: (e) => e.state === 'failed' || e.state === 'degraded' },
  { id: 'deleted', label: 'Deleted', test: (e) => e.state === 'deleted' },
];

export function EnvsView() {
  const envs = useQuery('envs', (api) => api.listEnvs({ query: { limit: 1000 } }), ['envs']);
  const { whoami } = useApp();
  const orgName = useOrgName();
  // Names repeat across organizations: a super-admin's list says whose each one is.
  const showOrg = seesEveryOrg(whoami?.role);
  const [filter, setFilter] = useState<Filter>('current');
  const now = useNow(10_000);
  const all = envs.data?.items ?? [];
  const test = FILTERS.find((f) => f.id === filter)!.test;
  const items = all.filter(test).sort((a, b) => b.created_at.localeCompare(a.created_at));
  const newEnv = hrefFor({ name: 'env-new' });

  return (
    <div class="page">
      <PageHeader
        title="Environments"
        subtitle="Groups of VMs with an owner, SSH keys, exposed ports and a lifetime."
        actions={
          <Button
            variant="primary"
            icon="plus"
            onClick={() => navigate(newEnv)}
            data-testid="new-env"
          >
            New environment
          </Button>
        }
      />
      <div class="toolbar">
        <div class="segmented" role="tablist" aria-label="Filter environments">
          {FILTERS.map((f) => (
            <button
              key={f.id}
              type="button"
              role="tab"
              aria-selected={filter === f.id}
              class={filter === f.id ? 'active' : undefined}
              onClick={() => setFilter(f.id)}
            >
              {f.label}
              <span class="count">{all.filter(f.test).length}</span>
            </button>
          ))}
        </div>
      </div>
      {!envs.data ? (
        <LoadState
          loading={envs.loading}
          error={envs.error}
          onRetry={envs.refetch}
          what="environments"
        />
      ) : items.length === 0 ? (
        <EmptyState
          icon="envs"
          title={filter === 'current' ? 'No environments yet' : 'Nothing to show'}
          action={
            filter === 'current' ? (
              <Button variant="primary" icon="plus" onClick={() => navigate(newEnv)}>
                Create an environment
              </Button>
            ) : undefined
          }
        >
          {filter === 'current' ? 'An environment is a set of VMs created together.' : null}
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="envs-table">
            <thead>
              <tr>
                <th>Environment</th>
                <th>State</th>
                <th>VMs</th>
                {showOrg ? <th>Organization</th> : null}
                <th>Owner</th>
                <th>Expires in</th>
                <th>Created</th>
                <th class="actions-col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((env) => {
                const href = hrefFor({ name: 'env', id: env.id, org: env.org_id });
                const running = env.vms.filter((vm) => vm.state === 'running').length;
                return (
                  <tr key={env.id} data-testid="env-row" data-env-id={env.id}>
                    <td>
                      <a class="strong" href={href} onClick={(e) => onLinkClick(e, href)}>
                        {env.id}
                      </a>
                      {env.error ? <div class="cell-error">{env.error.msg}</div> : null}
                    </td>
                    <td>
                      <StateChip state={env.state} testId="env-state" />
                    </td>
                    <td>
                      <span class="vm-dots" aria-hidden="true">
                        {env.vms.map((vm) => (
                          <span
                            key={vm.id}
                            class={`vm-dot tone-${toneOf(vm.state)}`}
                            title={`${vm.id}: ${vm.state}`}
                          />
                        ))}
                      </span>
                      <span class="muted">
                        {running}/{env.vms.length} running
                      </span>
                    </td>
                    {showOrg ? <td data-testid="env-org">{orgName(env.org_id)}</td> : null}
                    <td>{env.owner ?? <span class="muted">—</span>}</td>
                    <td>
                      {env.state === 'deleted' || env.state === 'deleting' ? (
                        <span class="muted">—</span>
                      ) : (
                        <Countdown expiresAt={env.expires_at} />
                      )}
                    </td>
                    <td class="muted" title={formatDateTime(env.created_at)}>
                      {formatAgo(env.created_at, now)}
                    </td>
                    <td class="actions-col">
                      <EnvActions env={env} compact />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
