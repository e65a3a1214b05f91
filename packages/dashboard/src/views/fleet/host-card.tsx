import type { Host } from '@apiary/protocol';
import { countRender } from '../../lib/render-probe.js';
import { onLinkClick } from '../../lib/router.js';
import { hrefFor } from '../../lib/routes.js';
import { Ago } from '../../ui/ago.js';
import { Liveness, PolicyBadge } from '../../ui/liveness.js';
import { memoByProps } from '../../ui/memo.js';
import { CapacityBar } from '../../ui/progress.js';
import { DrainProgress } from './drain-progress.js';
import { HostActions } from './host-actions.js';
import { HostUsageGlance } from './host-usage-glance.js';

/**
 * Memoised on its props: the query cache keeps an unchanged host's object across refetches
 * (`shareStructure`), so a live update renders the changed card only. It reads no clock and
 * no query itself (the "ago" labels tick on their own, the organization's name comes from the
 * fleet view) for the same reason.
 */
export const HostCard = memoByProps(function HostCard({
  host,
  orgName,
}: {
  host: Host;
  orgName: string;
}) {
  countRender('HostCard', host.id);
  const href = hrefFor({ name: 'host', id: host.id });
  const { total, reserved } = host.capacity;
  return (
    <article
      class={`card host-card host-${host.liveness}`}
      data-testid="host-card"
      data-host-id={host.id}
      data-hostname={host.hostname}
    >
      <header class="host-head">
        <div class="host-name">
          <a href={href} onClick={(e) => onLinkClick(e, href)}>
            {host.hostname}
          </a>
          <span class="muted mono host-addr" title="Agent address">
            {host.addr.replace(/^https?:\/\//, '')}
          </span>
        </div>
        <PolicyBadge policy={host.policy} />
      </header>
      <div class="host-meta">
        <Liveness liveness={host.liveness} />
        <span class="muted" title={host.last_heartbeat_at ?? undefined}>
          heartbeat <Ago at={host.last_heartbeat_at} />
        </span>
        <span class="muted host-org" title="Organization it serves" data-testid="host-org">
          {orgName}
        </span>
      </div>
      <div class="host-capacity">
        <CapacityBar label="CPU" used={reserved.cpu} total={total.cpu} unit="vcpu" />
        <CapacityBar label="Memory" used={reserved.mem} total={total.mem} unit="mib" />
        <CapacityBar label="Disk" used={reserved.disk} total={total.disk} unit="mib" />
      </div>
      <HostUsageGlance host={host} />
      {host.drain && host.drain.state !== 'cancelled' ? <DrainProgress drain={host.drain} /> : null}
      <footer class="host-foot">
        <span class="muted">
          <strong class="text" data-testid="host-vm-count">
            {host.vm_count}
          </strong>{' '}
          {host.vm_count === 1 ? 'VM' : 'VMs'} · {host.engines.join(', ') || 'no engine'} ·{' '}
          {host.storage}
        </span>
        <HostActions host={host} />
      </footer>
    </article>
  );
});
