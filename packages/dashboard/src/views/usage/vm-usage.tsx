import type { VmStats } from '@apiary/protocol';
import { useRef, useState } from 'preact/hooks';
import { onLinkClick } from '../../lib/router.js';
import { hrefFor } from '../../lib/routes.js';
import { DEFAULT_STATS_RANGE, type StatsRange, statsQuery } from '../../lib/stats-range.js';
import { vmCpuChart, vmNetworkChart } from '../../lib/stats-series.js';
import { LoadState } from '../../ui/page.js';
import { RangePicker } from './range-picker.js';
import { UsageChart } from './usage-chart.js';
import { UsageError, UsageNotice } from './usage-notice.js';
import { useStats } from './use-stats.js';

/**
 * One VM's usage (its row's detail in an environment): CPU and network over the chosen range,
 * live. Disk I/O is the pool's: illumos keeps no I/O kstat per zvol, so the VM's disk traffic
 * is only visible inside its pool's figures on the host page, and this says so.
 */
export function VmUsage({
  vmId,
  org,
  hostId,
}: {
  vmId: string;
  org: string;
  hostId: string | null;
}) {
  const [range, setRange] = useState<StatsRange>(DEFAULT_STATS_RANGE);
  const stats = useStats(`vm-stats:${org}:${vmId}:${range}`, (api) =>
    api.vmStats({ params: { id: vmId }, query: { ...statsQuery(range), org } }),
  );
  const shown = useRef<VmStats | undefined>(undefined);
  if (stats.data) shown.current = stats.data;
  const data = stats.data ?? shown.current;
  const hostHref = hostId ? hrefFor({ name: 'host', id: hostId }) : undefined;

  return (
    <div class="vm-usage" data-testid="vm-usage" data-vm-id={vmId}>
      <div class="vm-usage-head">
        <strong>Usage of {vmId}</strong>
        <RangePicker value={range} onChange={setRange} />
      </div>
      {stats.error ? <UsageError error={stats.error} /> : null}
      {!data ? (
        stats.error ? null : (
          <LoadState
            loading={stats.loading}
            error={undefined}
            onRetry={stats.refetch}
            what="usage"
          />
        )
      ) : data.interval_s === 0 ? (
        <UsageNotice>
          The agent of this VM's host does not sample usage (--stats-interval SECONDS).
        </UsageNotice>
      ) : (
        <div class="usage-grid">
          <UsageChart title="CPU" chart={vmCpuChart(data)} testId="chart-vm-cpu" />
          <UsageChart title="Network" chart={vmNetworkChart(data)} testId="chart-vm-network" />
          <figure class="usage-chart" data-testid="chart-vm-disk-panel">
            <figcaption class="usage-chart-head">
              <span class="usage-chart-title">Disk I/O</span>
            </figcaption>
            <div class="usage-chart-empty muted">
              illumos keeps no I/O figures per VM disk: this VM's disk traffic is part of pool{' '}
              <span class="mono">{data.now?.disk.pool ?? '—'}</span>
              {hostHref ? (
                <>
                  {' '}
                  on{' '}
                  <a href={hostHref} onClick={(e) => onLinkClick(e, hostHref)}>
                    its host's disk chart
                  </a>
                </>
              ) : null}
              .
            </div>
          </figure>
        </div>
      )}
    </div>
  );
}
