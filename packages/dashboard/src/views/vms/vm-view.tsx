import { ApiError, formatMiB } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { onLinkClick } from '../../lib/router.js';
import { hrefFor } from '../../lib/routes.js';
import { useQuery } from '../../state/use-query.js';
import { Icon } from '../../ui/icons.js';
import { EmptyState, LoadState, PageHeader } from '../../ui/page.js';
import { StateChip } from '../../ui/state-chip.js';
import { MigrateDialog } from './migrate-dialog.js';
import { PendingBanner } from './pending-banner.js';
import { useVmOperations } from './use-vm-operations.js';
import { VmCdromPanel } from './vm-cdrom-panel.js';
import { VmConfigPanel } from './vm-config-panel.js';
import { VmDisksPanel } from './vm-disks-panel.js';
import { VmEditDialog } from './vm-edit-dialog.js';
import { VmOperationsPanel } from './vm-operations-panel.js';
import { VmSnapshotsPanel } from './vm-snapshots-panel.js';

/** One VM: its configuration and the changes people make to it (issue 13). */
export function VmView({ id, org }: { id: string; org?: string }) {
  const vm = useQuery(
    `vm:${org ?? ''}:${id}`,
    (api) => api.getVm({ params: { id }, query: org ? { org } : undefined }),
    ['envs'],
  );
  const ops = useVmOperations(id, org, vm.data?.operation_id);
  const [editing, setEditing] = useState(false);
  const [migrating, setMigrating] = useState(false);
  const envHref = vm.data ? hrefFor({ name: 'env', id: vm.data.env_id, org }) : '/envs';
  const back = {
    href: envHref,
    label: vm.data ? `Environment ${vm.data.env_id}` : 'Environments',
    onClick: (e: MouseEvent) => onLinkClick(e, envHref),
  };

  if (vm.error instanceof ApiError && vm.error.code === 'not_found') {
    return (
      <div class="page">
        <PageHeader title={id} back={back} />
        <EmptyState icon="envs" title="This VM no longer exists">
          It was deleted with its environment, or the link is stale.
        </EmptyState>
      </div>
    );
  }
  if (!vm.data) {
    return (
      <div class="page">
        <PageHeader title={id} back={back} />
        <LoadState loading={vm.loading} error={vm.error} onRetry={vm.refetch} what="VM" />
      </div>
    );
  }
  const v = vm.data;
  // One change at a time per VM: the controller refuses a second with a 409 anyway.
  const busy = ops.busy || Boolean(v.operation_id);
  const panel = { vm: v, org, busy, track: ops.track };
  return (
    <div class="page" data-testid="vm-view" data-vm-state={v.state} data-busy={busy}>
      <PageHeader
        back={back}
        title={
          <span class="title-with-badges">
            {v.id}
            <StateChip state={v.state} testId="vm-state" />
          </span>
        }
        subtitle={`${v.image} · ${v.cpu} vCPU · ${formatMiB(v.mem)}${v.ip ? ` · ${v.ip}` : ''}`}
      />
      {v.error ? (
        <div class="banner banner-error" role="alert">
          <Icon name="alert" />
          <div>
            <strong>{v.error.code}</strong> {v.error.msg}
          </div>
        </div>
      ) : null}
      <PendingBanner vm={v} org={org} />
      <VmConfigPanel
        vm={v}
        busy={busy}
        onEdit={() => setEditing(true)}
        onMigrate={() => setMigrating(true)}
      />
      <div class="vm-panels">
        <VmDisksPanel {...panel} />
        <VmCdromPanel {...panel} />
      </div>
      <VmSnapshotsPanel {...panel} />
      <VmOperationsPanel operations={ops.operations} org={org} />
      {editing ? (
        <VmEditDialog vm={v} org={org} track={ops.track} onClose={() => setEditing(false)} />
      ) : null}
      {migrating ? (
        <MigrateDialog vm={v} org={org} track={ops.track} onClose={() => setMigrating(false)} />
      ) : null}
    </div>
  );
}
