import type { HostStats } from '@apiary/protocol';
import { useRef, useState } from 'preact/hooks';
import { DEFAULT_STATS_RANGE, type StatsRange, statsQuery } from '../../lib/stats-range.js';
import {
  hostCpuChart,
  hostDiskChart,
  hostMemoryChart,
  hostNetworkChart,
} from '../../lib/stats-series.js';
import { LoadState, Panel } from '../../ui/page.js';
import { RangePicker } from './range-picker.js';
import { UsageChart } from './usage-chart.js';
import { UsageError, UsageNotice } from './usage-notice.js';
import { useStats } from './use-stats.js';

/** The host page's usage: CPU, memory, network and disk I/O over the chosen range, live. */
export function HostUsage({ hostId }: { hostId: string }) {
  const [range, setRange] = useState<StatsRange>(DEFAULT_STATS_RANGE);
  const stats = useStats(`host-stats:${hostId}:${range}`, (api) =>
    api.hostStats({ params: { id: hostId }, query: statsQuery(range) }),
  );
  // While another range loads, the charts keep the previous one instead of blinking out.
  const shown = useRef<HostStats | undefined>(undefined);
  if (stats.data) shown.current = stats.data;
  const data = stats.data ?? shown.current;

  return (
    <Panel
      title="Usage"
      testId="host-usage"
      actions={<RangePicker value={range} onChange={setRange} />}
    >
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
          This host's agent does not sample usage (start it with --stats-interval SECONDS).
        </UsageNotice>
      ) : (
        <div class="usage-grid">
          <UsageChart title="CPU" chart={hostCpuChart(data)} testId="chart-host-cpu" />
          <UsageChart title="Memory" chart={hostMemoryChart(data)} testId="chart-host-memory" />
          <UsageChart title="Network" chart={hostNetworkChart(data)} testId="chart-host-network" />
          <UsageChart title="Disk I/O" chart={hostDiskChart(data)} testId="chart-host-disk" />
        </div>
      )}
    </Panel>
  );
}
