import { formatMiB, type Vm } from '@apiary/protocol';
import { Button } from '../../ui/button.js';
import { Panel } from '../../ui/page.js';

/** What the VM is: cpu, memory, boot disk, ports and egress, with the button to change them. */
export function VmConfigPanel({
  vm,
  busy,
  onEdit,
  onMigrate,
}: {
  vm: Vm;
  busy: boolean;
  onEdit: () => void;
  /** Moving the VM to another host (org admins; the controller refuses anyone else). */
  onMigrate?: () => void;
}) {
  return (
    <Panel
      title="Configuration"
      testId="vm-config"
      actions={
        <>
          {onMigrate ? (
            <Button
              size="sm"
              onClick={onMigrate}
              disabled={busy || !['running', 'stopped'].includes(vm.state)}
              data-testid="migrate-vm"
            >
              Migrate
            </Button>
          ) : null}
          <Button size="sm" icon="extend" onClick={onEdit} disabled={busy} data-testid="edit-vm">
            Edit
          </Button>
        </>
      }
    >
      <dl class="facts facts-row">
        <div>
          <dt>vCPUs</dt>
          <dd data-testid="vm-cpu">{vm.cpu}</dd>
        </div>
        <div>
          <dt>Memory</dt>
          <dd data-testid="vm-mem">{formatMiB(vm.mem)}</dd>
        </div>
        <div>
          <dt>Boot disk</dt>
          <dd data-testid="vm-disk">{formatMiB(vm.disk)}</dd>
        </div>
        <div>
          <dt>Ports</dt>
          <dd class="mono">{vm.ports.join(', ')}</dd>
        </div>
        <div>
          <dt>Outgoing</dt>
          <dd>{vm.deny_outgoing ? 'blocked' : 'allowed'}</dd>
        </div>
      </dl>
    </Panel>
  );
}
