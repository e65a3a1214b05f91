import { ApiError, formatDuration, type Host } from '@apiary/protocol';
import { useMemo, useState } from 'preact/hooks';
import { formatDateTime } from '../../lib/format.js';
import { onLinkClick } from '../../lib/router.js';
import { useQuery } from '../../state/use-query.js';
import { Countdown } from '../../ui/countdown.js';
import { Icon } from '../../ui/icons.js';
import { EmptyState, LoadState, PageHeader, Panel } from '../../ui/page.js';
import { StateChip } from '../../ui/state-chip.js';
import { ActivityFeed } from '../activity/activity-feed.js';
import { type ConsoleKind, ConsolePanel } from '../consoles/console-panel.js';
import { EnvActions } from './env-actions.js';
import { VmTable } from './vm-table.js';

/** `org`: the environment's organization, when the link named it (super-admins). */
export function EnvView({ id, org }: { id: string; org?: string }) {
  const env = useQuery(
    `env:${org ?? ''}:${id}`,
    (api) => api.getEnv({ params: { id }, query: org ? { org } : undefined }),
    ['envs'],
  );
  const hosts = useQuery('hosts', (api) => api.listHosts({ query: { limit: 1000 } }), ['hosts']);
  const [consoleOf, setConsole] = useState<{ vmId: string; kind: ConsoleKind } | null>(null);
  const hostsById = useMemo(
    () => new Map<string, Host>((hosts.data?.items ?? []).map((h) => [h.id, h])),
    [hosts.data],
  );
  const back = {
    href: '/envs',
    label: 'Environments',
    onClick: (e: MouseEvent) => onLinkClick(e, '/envs'),
  };

  // Deleted while on screen (or a stale link): say so instead of showing the last copy.
  const gone = env.error instanceof ApiError && env.error.code === 'not_found';
  if (gone) {
    return (
      <div class="page">
        <PageHeader title={id} back={back} />
        <EmptyState icon="envs" title="This environment no longer exists">
          It was deleted, or it expired and the reaper removed it.
        </EmptyState>
      </div>
    );
  }
  if (!env.data) {
    return (
      <div class="page">
        <PageHeader title={id} back={back} />
        <LoadState
          loading={env.loading}
          error={env.error}
          onRetry={env.refetch}
          what="environment"
        />
      </div>
    );
  }
  const e = env.data;
  const running = e.vms.filter((vm) => vm.state === 'running').length;
  const openVm = consoleOf && e.vms.some((vm) => vm.id === consoleOf.vmId) ? consoleOf : null;
  return (
    <div class="page" data-testid="env-view" data-env-state={e.state}>
      <PageHeader
        back={back}
        title={
          <span class="title-with-badges">
            {e.id}
            <StateChip state={e.state} testId="env-state" />
          </span>
        }
        subtitle={`${running} of ${e.vms.length} VMs running${e.owner ? ` · owner ${e.owner}` : ''}`}
        actions={<EnvActions env={e} afterDelete="/envs" />}
      />
      {e.error ? (
        <div class="banner banner-error" role="alert">
          <Icon name="alert" />
          <div>
            <strong>{e.error.code}</strong> {e.error.msg}
          </div>
        </div>
      ) : null}
      <dl class="facts facts-row">
        <div>
          <dt>Expires in</dt>
          <dd>
            {e.state === 'deleted' || e.state === 'deleting' ? (
              '—'
            ) : (
              <Countdown expiresAt={e.expires_at} />
            )}
          </dd>
        </div>
        <div>
          <dt>Lifetime</dt>
          <dd>{formatDuration(e.lifetime)}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatDateTime(e.created_at)}</dd>
        </div>
        <div>
          <dt>SSH keys</dt>
          <dd
            title={e.ssh_keys
              .map((k) => k.split(' ').slice(2).join(' ') || k.slice(0, 24))
              .join('\n')}
          >
            {e.ssh_keys.length}
          </dd>
        </div>
        <div>
          <dt>On failure</dt>
          <dd>{e.on_failure === 'rollback' ? 'roll back all' : 'keep the rest'}</dd>
        </div>
      </dl>
      <Panel title="Virtual machines" flush testId="env-vms">
        <VmTable
          vms={e.vms}
          envState={e.state}
          hosts={hostsById}
          org={e.org_id}
          onConsole={(vmId, kind) => setConsole({ vmId, kind })}
        />
      </Panel>
      {openVm ? (
        <ConsolePanel
          vmId={openVm.vmId}
          org={e.org_id}
          kind={openVm.kind}
          onKind={(kind) => setConsole({ vmId: openVm.vmId, kind })}
          onClose={() => setConsole(null)}
        />
      ) : null}
      <ActivityFeed resource={`env:${e.id}`} />
    </div>
  );
}
