import {
  consoleAvailable,
  type EnvState,
  formatMiB,
  type Host,
  sshCommand,
  type Vm,
  type VmAction,
  vmActionsOffered,
} from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { hostLabels } from '../../lib/host-labels.js';
import { onLinkClick } from '../../lib/router.js';
import { hrefFor } from '../../lib/routes.js';
import { vmAddresses } from '../../lib/vm-addresses.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { Button } from '../../ui/button.js';
import { CopyButton } from '../../ui/copy-button.js';
import { Icon } from '../../ui/icons.js';
import { StateChip } from '../../ui/state-chip.js';
import type { ConsoleKind } from '../consoles/console-panel.js';
import { VmUsage } from '../usage/vm-usage.js';

/** Power buttons in the order they are shown, for the actions the shared rule offers. */
const POWER_BUTTONS = [
  { action: 'start', icon: 'play', title: 'Start' },
  { action: 'restart', icon: 'restart', title: 'Restart' },
  { action: 'stop', icon: 'stop', title: 'Stop' },
] as const;

export function VmTable({
  vms,
  envState,
  hosts,
  org,
  onConsole,
}: {
  vms: Vm[];
  /** The environment's organization: VM names are unique within it only. */
  org: string;
  /** VMs are powered one by one only while their environment is settled. */
  envState: EnvState;
  hosts: Map<string, Host>;
  onConsole: (vmId: string, kind: ConsoleKind) => void;
}) {
  const labels = hostLabels(hosts);
  return (
    <div class="table-wrap">
      <table class="table" data-testid="vm-table">
        <thead>
          <tr>
            <th>VM</th>
            <th>State</th>
            <th>Host</th>
            <th>Addresses</th>
            <th>Ports</th>
            <th>Resources</th>
            <th class="actions-col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {vms.map((vm) => (
            <VmRow
              key={vm.id}
              vm={vm}
              envState={envState}
              org={org}
              hostLabel={vm.host_id ? (labels.get(vm.host_id) ?? vm.host_id) : undefined}
              onConsole={onConsole}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function VmRow({
  vm,
  envState,
  org,
  hostLabel,
  onConsole,
}: {
  vm: Vm;
  envState: EnvState;
  org: string;
  hostLabel: string | undefined;
  onConsole: (vmId: string, kind: ConsoleKind) => void;
}) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const params = { params: { id: vm.id }, query: { org } };
  const hostHref = vm.host_id ? hrefFor({ name: 'host', id: vm.host_id }) : undefined;
  const vmHref = hrefFor({ name: 'vm', id: vm.id, org });
  const act = (name: VmAction) =>
    run(
      name,
      () =>
        name === 'stop'
          ? api.stopVm(params)
          : name === 'start'
            ? api.startVm(params)
            : api.restartVm(params),
      {
        errorTitle: `Could not ${name} ${vm.id}`,
        invalidate: ['envs', 'hosts'],
      },
    );
  const offered = vmActionsOffered(vm.state, envState);
  const [usageOpen, setUsageOpen] = useState(false);
  return (
    <>
      <tr data-testid="vm-row" data-vm-id={vm.id}>
        <td>
          <a
            class="mono strong"
            href={vmHref}
            onClick={(e) => onLinkClick(e, vmHref)}
            data-testid="vm-link"
          >
            {vm.id}
          </a>
          <div class="muted small" data-testid="vm-image">
            {vm.boot_iso ? `installs from ${vm.image} (ISO)` : vm.image}
          </div>
          {vm.error ? <div class="cell-error">{vm.error.msg}</div> : null}
        </td>
        <td>
          <StateChip state={vm.state} testId="vm-state" />
        </td>
        <td>
          {hostHref ? (
            <a href={hostHref} onClick={(e) => onLinkClick(e, hostHref)}>
              {hostLabel}
            </a>
          ) : (
            <span class="muted">not placed</span>
          )}
          {vm.host_addr ? <div class="muted small mono">{vm.host_addr}</div> : null}
        </td>
        <td data-testid="vm-addresses">
          {vmAddresses(vm).map((nic) => (
            <div key={nic.network} class="nowrap" data-network={nic.network}>
              <span class="muted small">{nic.network}</span>{' '}
              <span class="mono">{nic.ip ?? <span class="muted">—</span>}</span>
            </div>
          ))}
        </td>
        <td>
          <PortMap vm={vm} />
        </td>
        <td class="nowrap">
          {vm.cpu} vCPU · {formatMiB(vm.mem)} · {formatMiB(vm.disk)}
          {vm.deny_outgoing ? (
            <div class="muted small" title="Outgoing connections are blocked">
              <Icon name="shield" size={12} /> no egress
            </div>
          ) : null}
        </td>
        <td class="actions-col">
          <div class="actions">
            <Button
              size="sm"
              icon="terminal"
              disabled={!consoleAvailable(vm.state, 'serial')}
              onClick={() => onConsole(vm.id, 'serial')}
              data-testid="open-serial"
            >
              Console
            </Button>
            <Button
              size="sm"
              icon="monitor"
              disabled={!consoleAvailable(vm.state, 'vnc')}
              onClick={() => onConsole(vm.id, 'vnc')}
              data-testid="open-vnc"
            >
              VNC
            </Button>
            <Button
              size="sm"
              icon="clock"
              aria-expanded={usageOpen}
              onClick={() => setUsageOpen((open) => !open)}
              data-testid="toggle-usage"
            >
              Usage
            </Button>
            {POWER_BUTTONS.filter((b) => offered.includes(b.action)).map((b) => (
              <Button
                key={b.action}
                size="sm"
                variant="ghost"
                icon={b.icon}
                busy={pending === b.action}
                onClick={() => act(b.action)}
                aria-label={`${b.title} ${vm.id}`}
                title={b.title}
              />
            ))}
          </div>
        </td>
      </tr>
      {usageOpen ? (
        <tr class="vm-detail-row" data-testid="vm-detail-row">
          <td colSpan={7}>
            <VmUsage vmId={vm.id} org={org} hostId={vm.host_id} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** `host:40022 → 22` for each forwarded port, with a copyable ssh command for port 22. */
function PortMap({ vm }: { vm: Vm }) {
  const entries = Object.entries(vm.port_map).sort(([a], [b]) => Number(a) - Number(b));
  if (entries.length === 0) return <span class="muted">—</span>;
  const addr = vm.host_addr ?? 'host';
  const ssh = sshCommand(vm);
  return (
    <ul class="ports" data-testid="port-map">
      {entries.map(([guest, hostPort]) => (
        <li key={guest}>
          <span class="mono">
            {addr}:{hostPort}
          </span>
          <span class="muted"> → {guest}</span>
          {guest === '22' && ssh ? <CopyButton value={ssh} label="Copy ssh command" /> : null}
        </li>
      ))}
    </ul>
  );
}
