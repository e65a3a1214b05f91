import { describeHostCertificate, formatMiB, type Host, type Vm } from '@apiary/protocol';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { formatAgo, formatDateTime } from '../../lib/format.js';
import { onLinkClick } from '../../lib/router.js';
import { hrefFor } from '../../lib/routes.js';
import { canAdministerHosts, canManageOrgs } from '../../lib/tenancy-access.js';
import { useApp } from '../../state/app-context.js';
import { useNow } from '../../state/use-now.js';
import { useOrgName } from '../../state/use-orgs.js';
import { useQuery } from '../../state/use-query.js';
import { Button } from '../../ui/button.js';
import { Liveness, PolicyBadge } from '../../ui/liveness.js';
import { EmptyState, LoadState, PageHeader, Panel } from '../../ui/page.js';
import { CapacityBar } from '../../ui/progress.js';
import { StateChip } from '../../ui/state-chip.js';
import { ActivityFeed } from '../activity/activity-feed.js';
import { HostUsage } from '../usage/host-usage.js';
import { DrainProgress } from './drain-progress.js';
import { HostActions } from './host-actions.js';
import { HostLinks, HostNetworks } from './host-networking.js';
import { HostOrgDialog } from './host-org-dialog.js';
import { HostDatasets, HostPools } from './host-storage.js';

export function HostView({ id }: { id: string }) {
  const host = useQuery(`host:${id}`, (api) => api.getHost({ params: { id } }), ['hosts']);
  const { whoami } = useApp();
  const envs = useQuery('envs', (api) => api.listEnvs({ query: { limit: 1000 } }), ['envs']);
  const back = { href: '/', label: 'Fleet', onClick: (e: MouseEvent) => onLinkClick(e, '/') };
  if (!host.data) {
    return (
      <div class="page">
        <PageHeader title={id} back={back} />
        <LoadState loading={host.loading} error={host.error} onRetry={host.refetch} what="host" />
      </div>
    );
  }
  const h = host.data;
  const vms = (envs.data?.items ?? []).flatMap((e) => e.vms).filter((vm) => vm.host_id === h.id);
  return (
    <div class="page" data-testid="host-view">
      <PageHeader
        back={back}
        title={
          <span class="title-with-badges">
            {h.hostname}
            <Liveness liveness={h.liveness} />
            <PolicyBadge policy={h.policy} />
          </span>
        }
        subtitle={<span class="mono">{h.id}</span>}
        actions={<HostActions host={h} size="md" />}
      />
      <div class="grid-2">
        <Panel title="Capacity">
          <div class="capacity-list">
            <CapacityBar
              label="CPU"
              used={h.capacity.reserved.cpu}
              total={h.capacity.total.cpu}
              unit="vcpu"
            />
            <CapacityBar
              label="Memory"
              used={h.capacity.reserved.mem}
              total={h.capacity.total.mem}
              unit="mib"
            />
            <CapacityBar
              label="Disk"
              used={h.capacity.reserved.disk}
              total={h.capacity.total.disk}
              unit="mib"
            />
          </div>
        </Panel>
        <HostFacts host={h} />
      </div>
      <HostUsage hostId={h.id} />
      {h.drain ? (
        <Panel title="Drain">
          <DrainProgress drain={h.drain} />
          {h.drain.vms.length > 0 ? (
            <table class="table table-compact">
              <thead>
                <tr>
                  <th>VM</th>
                  <th>Environment</th>
                  <th>State</th>
                  <th>Problem</th>
                </tr>
              </thead>
              <tbody>
                {h.drain.vms.map((vm) => (
                  <tr key={vm.id}>
                    <td class="mono">{vm.id}</td>
                    <td>
                      <EnvLink id={vm.env_id} org={h.org_id} />
                    </td>
                    <td>
                      <StateChip state={vm.state} />
                    </td>
                    <td class="text-red">{vm.error ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </Panel>
      ) : null}
      {canAdministerHosts(whoami?.role) ? (
        <>
          <div class="grid-2">
            <HostNetworks host={h} />
            <HostPools host={h} />
          </div>
          <HostLinks host={h} />
          <HostDatasets host={h} />
        </>
      ) : null}
      <Panel title={`Virtual machines (${vms.length})`} flush>
        {vms.length === 0 ? (
          <EmptyState icon="envs" title="No VMs on this host" />
        ) : (
          <HostVms vms={vms} org={h.org_id} />
        )}
      </Panel>
      <ActivityFeed resource={`host:${h.id}`} />
    </div>
  );
}

function HostFacts({ host }: { host: Host }) {
  const now = useNow(5000);
  const { whoami } = useApp();
  const orgName = useOrgName();
  const [assigning, setAssigning] = useState(false);
  const org = (
    <span class="fact-with-action">
      <span data-testid="host-org">{orgName(host.org_id)}</span>
      {canManageOrgs(whoami?.role) ? (
        <Button size="sm" variant="ghost" onClick={() => setAssigning(true)}>
          Assign
        </Button>
      ) : null}
    </span>
  );
  const facts: Array<[string, ComponentChildren]> = [
    ['Agent address', host.addr],
    ['Certificate', describeHostCertificate(host.tls)],
    ['Public address', host.public_addr],
    ['Last heartbeat', formatAgo(host.last_heartbeat_at, now)],
    ['Engines', host.engines.join(', ') || '—'],
    ['Storage', host.storage],
    ['Agent version', `${host.agent_version} (API ${host.api_version})`],
    ['Joined', `${formatDateTime(host.registered_at)} · ${host.source}`],
    ['Organization', org],
    ['Cached images', String(host.images.length)],
  ];
  return (
    <Panel title="Details">
      <dl class="facts">
        {facts.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {assigning ? <HostOrgDialog host={host} onClose={() => setAssigning(false)} /> : null}
    </Panel>
  );
}

/** A host serves one organization at a time: its VMs are that organization's. */
function HostVms({ vms, org }: { vms: Vm[]; org: string | null }) {
  return (
    <table class="table">
      <thead>
        <tr>
          <th>VM</th>
          <th>Environment</th>
          <th>State</th>
          <th>IP</th>
          <th class="num">CPU</th>
          <th class="num">Memory</th>
          <th class="num">Disk</th>
        </tr>
      </thead>
      <tbody>
        {vms.map((vm) => (
          <tr key={vm.id}>
            <td class="mono">{vm.id}</td>
            <td>
              <EnvLink id={vm.env_id} org={org} />
            </td>
            <td>
              <StateChip state={vm.state} />
            </td>
            <td class="mono">{vm.ip ?? '—'}</td>
            <td class="num">{vm.cpu}</td>
            <td class="num">{formatMiB(vm.mem)}</td>
            <td class="num">{formatMiB(vm.disk)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EnvLink({ id, org }: { id: string; org: string | null }) {
  const href = hrefFor({ name: 'env', id, ...(org ? { org } : {}) });
  return (
    <a href={href} onClick={(e) => onLinkClick(e, href)}>
      {id}
    </a>
  );
}
