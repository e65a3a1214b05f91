import { type FleetStatus, formatMiBOf } from '@apiary/protocol';
import { percent } from '../../lib/format.js';

/** The fleet at a glance: the numbers an operator checks first. */
export function FleetSummary({ status }: { status: FleetStatus }) {
  const { hosts, capacity, vms, envs } = status;
  const running = vms.by_state.running ?? 0;
  const activeEnvs = (envs.by_state.active ?? 0) + (envs.by_state.degraded ?? 0);
  return (
    <section class="stats" aria-label="Fleet summary" data-testid="fleet-summary">
      <div class="stat">
        <span class="stat-label">Hosts</span>
        <span class="stat-value" data-testid="stat-hosts-ready">
          {hosts.ready}
          <span class="stat-of">/ {hosts.total} ready</span>
        </span>
        <span class="stat-detail">
          <span class={hosts.suspect ? 'text-yellow' : 'muted'}>{hosts.suspect} suspect</span>
          <span class={hosts.down ? 'text-red' : 'muted'}>{hosts.down} down</span>
          {hosts.draining + hosts.maintenance > 0 ? (
            <span class="muted">
              {hosts.draining} draining · {hosts.maintenance} maintenance
            </span>
          ) : null}
        </span>
      </div>
      <div class="stat">
        <span class="stat-label">Virtual machines</span>
        <span class="stat-value">
          {vms.total}
          <span class="stat-of">{running} running</span>
        </span>
        <span class="stat-detail muted">
          in {envs.total} {envs.total === 1 ? 'environment' : 'environments'} · {activeEnvs} active
        </span>
      </div>
      <Share
        label="CPU reserved"
        used={capacity.reserved.cpu}
        total={capacity.total.cpu}
        unit="vcpu"
      />
      <Share
        label="Memory reserved"
        used={capacity.reserved.mem}
        total={capacity.total.mem}
        unit="mib"
      />
      <Share
        label="Disk reserved"
        used={capacity.reserved.disk}
        total={capacity.total.disk}
        unit="mib"
      />
    </section>
  );
}

function Share({
  label,
  used,
  total,
  unit,
}: {
  label: string;
  used: number;
  total: number;
  unit: 'vcpu' | 'mib';
}) {
  const share = percent(used, total);
  const text =
    unit === 'mib' ? formatMiBOf(used, total) : { used: String(used), total: `${total} vCPU` };
  return (
    <div class="stat">
      <span class="stat-label">{label}</span>
      <span class="stat-value">
        {share}
        <span class="stat-unit">%</span>
      </span>
      <span class="stat-detail muted">
        {text.used} of {text.total}
      </span>
    </div>
  );
}
