import { type Drain, describeHostCertificate, formatMiB, type Host } from '@apiary/protocol';
import { liveness, stateColor, yellow } from '../lib/color.js';
import { type HostView, hostLabel } from '../lib/host-names.js';
import { details, table } from '../lib/output.js';
import { usageLine } from './render-top.js';

const used = (reserved: number, total: number) => `${reserved}/${total}`;

/** `hosts list`: by hostname; `--wide` adds the id the host commands take. */
export function renderHosts(hosts: Host[], wide: boolean): string {
  return table(
    [
      'HOSTNAME',
      ...(wide ? ['ID'] : []),
      'LIVENESS',
      'POLICY',
      'CPU',
      'MEM MiB',
      'DISK MiB',
      'VMS',
      'DRAIN',
    ],
    hosts.map((h) => [
      h.hostname,
      ...(wide ? [h.id] : []),
      liveness(h.liveness),
      h.policy,
      used(h.capacity.reserved.cpu, h.capacity.total.cpu),
      used(h.capacity.reserved.mem, h.capacity.total.mem),
      used(h.capacity.reserved.disk, h.capacity.total.disk),
      h.vm_count,
      h.drain ? drainSummary(h.drain) : '-',
    ]),
  );
}

export function drainSummary(drain: Drain): string {
  const done = drain.vms_total - drain.vms_remaining;
  return `${drain.state} ${done}/${drain.vms_total}${drain.vms_failed ? ` (${drain.vms_failed} failed)` : ''}`;
}

export function renderHost(h: Host): string {
  const { total, reserved, free } = h.capacity;
  return details([
    ['id', h.id],
    ['hostname', h.hostname],
    ['address', h.addr],
    ['certificate', describeHostCertificate(h.tls)],
    ...(h.tls.state === 'certificate_changed'
      ? [
          [
            'presented',
            `${h.tls.presented_fingerprint} (apiary hosts accept-certificate ${h.id})`,
          ] as [string, string],
        ]
      : []),
    ['public address', h.public_addr],
    ['liveness', liveness(h.liveness)],
    ['policy', h.policy],
    ['organization', h.org_id],
    ['engines', h.engines.join(', ')],
    ['storage', h.storage],
    ['agent', `${h.agent_version} (API ${h.api_version})`],
    ['cpu', `${reserved.cpu} reserved of ${total.cpu}, ${free.cpu} free`],
    [
      'memory',
      `${formatMiB(reserved.mem)} reserved of ${formatMiB(total.mem)}, ${formatMiB(free.mem)} free`,
    ],
    [
      'disk',
      `${formatMiB(reserved.disk)} reserved of ${formatMiB(total.disk)}, ${formatMiB(free.disk)} free`,
    ],
    ['usage', usageLine(h.usage, h.usage?.sampled_at ?? null)],
    ['vms', h.vm_count],
    ['images', h.images.length],
    ['last heartbeat', h.last_heartbeat_at],
    ['drain', h.drain ? drainSummary(h.drain) : null],
    ['credential', credentialSummary(h)],
  ]);
}

/** Where the host's credential stands, in words an operator acts on. */
export function credentialSummary(h: Host): string {
  const c = h.credential;
  switch (c.state) {
    case 'awaiting_registration':
      return `reset: its next registration is accepted until ${c.reregister_until}`;
    case 'revoked':
      return `revoked: locked out until apiary hosts reset-credential ${h.id}`;
    case 'rotating':
      return 'rotating: the agent receives the new one with its next heartbeat';
    case 'none':
      return 'none (added by address)';
    default:
      return c.state;
  }
}

/**
 * `, 1 releasing (old copy not removed yet)`: moved VMs whose copy this host still holds, which
 * keep the drain from finishing; empty when there are none.
 */
export function releasingText(d: Pick<Drain, 'vms_releasing'>): string {
  return d.vms_releasing ? `, ${d.vms_releasing} releasing (old copy not removed yet)` : '';
}

export function renderDrain(d: Drain, view: HostView): string {
  const head = details([
    ['host', hostLabel(view, d.host_id)],
    ['mode', d.mode],
    ['state', stateColor(d.state)],
    ['complete', d.complete],
    ['started', d.started_at],
    ['deadline', d.deadline],
    ['vms', `${d.vms_remaining} remaining of ${d.vms_total}, ${d.vms_failed} failed`],
    ...(d.vms_moved != null
      ? [
          [
            'moves',
            `${d.vms_moved} moved, ${d.vms_moving ?? 0} moving${releasingText(d)}, ${d.max_parallel ?? 1} at once`,
          ] as [string, string],
        ]
      : []),
  ]);
  if (d.vms.length === 0) return head;
  const moving = d.mode === 'migrate';
  const vms = table(
    moving ? ['VM', 'ENV', 'STATE', 'MOVE', 'ERROR', 'WARNING'] : ['VM', 'ENV', 'STATE', 'ERROR'],
    d.vms.map((v) =>
      moving
        ? [
            v.id,
            v.env_id,
            stateColor(v.state),
            v.move ?? '',
            v.error ?? '',
            v.warning ? yellow(v.warning) : '',
          ]
        : [v.id, v.env_id, stateColor(v.state), v.error ?? ''],
    ),
  );
  return `${head}\n\n${vms}`;
}
