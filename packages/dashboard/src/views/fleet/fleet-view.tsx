import type { Host, HostLiveness } from '@apiary/protocol';
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../../state/app-context.js';
import { useOrgName } from '../../state/use-orgs.js';
import { useQuery } from '../../state/use-query.js';
import { useRefresh } from '../../state/use-refresh.js';
import { Button } from '../../ui/button.js';
import { EmptyState, LoadState, PageHeader } from '../../ui/page.js';
import { ActivityFeed } from '../activity/activity-feed.js';
import { AddHostDialog } from './add-host-dialog.js';
import { FleetSummary } from './fleet-summary.js';
import { HostCard } from './host-card.js';

type Filter = 'all' | HostLiveness | 'draining';

const FILTERS: Array<{ id: Filter; label: string }> = [
  { id: 'all', label: 'All' },
  { id: 'ready', label: 'Ready' },
  { id: 'suspect', label: 'Suspect' },
  { id: 'down', label: 'Down' },
  { id: 'draining', label: 'Not eligible' },
];

/** Trouble first: down, then suspect, then the rest by name. */
/** Host usage arrives with heartbeats, not events: re-read it at the agents' default sample interval. */
const USAGE_REFRESH_MS = 10_000;

const LIVENESS_ORDER: Record<HostLiveness, number> = { down: 0, suspect: 1, ready: 2 };

/**
 * Cards shown at first, and added by each "Show more". A thousand cards are 60,000 elements:
 * seconds of style and layout in the browser. Trouble sorts first, so the first page is the
 * one that matters; the filters and the search still see every host.
 */
export const HOST_PAGE = 120;

export function FleetView() {
  const hosts = useQuery('hosts', (api) => api.listHosts({ query: { limit: 1000 } }), ['hosts']);
  const status = useQuery('status', (api) => api.status(), ['status']);
  useRefresh(['hosts', 'status'], USAGE_REFRESH_MS);
  const [filter, setFilter] = useState<Filter>('all');
  const [search, setSearch] = useState('');
  const [adding, setAdding] = useState(false);
  const [shown, setShown] = useState(HOST_PAGE);
  // A new filter or search starts from the first page again.
  useEffect(() => setShown(HOST_PAGE), [filter, search]);
  const { whoami } = useApp();
  const orgName = useOrgName();
  // Adding a host takes org_admin or more (members only use hosts).
  const mayAdd = whoami?.role === 'org_admin' || whoami?.role === 'super_admin';

  const items = (hosts.data?.items ?? [])
    .filter((h) => matches(h, filter, search))
    .sort(
      (a, b) =>
        LIVENESS_ORDER[a.liveness] - LIVENESS_ORDER[b.liveness] ||
        a.hostname.localeCompare(b.hostname),
    );
  const count = (f: Filter) => (hosts.data?.items ?? []).filter((h) => matches(h, f, '')).length;

  return (
    <div class="page">
      <PageHeader
        title="Fleet"
        subtitle="Hosts, their health and what is reserved on them."
        actions={
          mayAdd ? (
            <Button variant="primary" icon="plus" onClick={() => setAdding(true)}>
              Add host
            </Button>
          ) : null
        }
      />
      {status.data ? <FleetSummary status={status.data} /> : null}
      <div class="toolbar">
        <div class="segmented" role="tablist" aria-label="Filter hosts">
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
              <span class="count">{count(f.id)}</span>
            </button>
          ))}
        </div>
        <input
          type="search"
          class="search"
          placeholder="Filter by name or address"
          aria-label="Filter hosts by name or address"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
      </div>
      {!hosts.data ? (
        <LoadState
          loading={hosts.loading}
          error={hosts.error}
          onRetry={hosts.refetch}
          what="hosts"
        />
      ) : hosts.data.items.length === 0 ? (
        <EmptyState icon="fleet" title="No hosts yet">
          Start an agent with a license key (
          <span class="mono">apiary-agent --controller URL --license-key-file FILE</span>) and it
          appears here within seconds.
        </EmptyState>
      ) : items.length === 0 ? (
        <EmptyState icon="search" title="No host matches this filter" />
      ) : (
        <>
          <div
            class="host-grid"
            data-testid="host-grid"
            data-shown={Math.min(shown, items.length)}
            data-matching={items.length}
          >
            {items.slice(0, shown).map((host) => (
              <HostCard key={host.id} host={host} orgName={orgName(host.org_id)} />
            ))}
          </div>
          {items.length > shown ? (
            <div class="host-grid-more">
              <span class="muted">
                Showing {shown} of {items.length} hosts
              </span>
              <Button data-testid="show-more-hosts" onClick={() => setShown(shown + HOST_PAGE)}>
                Show {Math.min(HOST_PAGE, items.length - shown)} more
              </Button>
            </div>
          ) : null}
        </>
      )}
      <ActivityFeed />
      {adding ? <AddHostDialog onClose={() => setAdding(false)} /> : null}
    </div>
  );
}

function matches(host: Host, filter: Filter, search: string): boolean {
  if (filter === 'draining' && host.policy === 'eligible') return false;
  if (filter !== 'all' && filter !== 'draining' && host.liveness !== filter) return false;
  const needle = search.trim().toLowerCase();
  if (!needle) return true;
  return [host.hostname, host.addr, host.id, host.public_addr].some((v) =>
    v.toLowerCase().includes(needle),
  );
}
