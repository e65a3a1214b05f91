import { type ChartData, hasSamples, latest } from '../../lib/stats-series.js';
import { formatChartValue } from '../../lib/usage-units.js';
import { TimeChart } from '../../ui/charts/time-chart.js';

/**
 * One chart with its title and newest figures; "No samples yet" until the first sample has
 * landed in the range, so an empty axis is never mistaken for an idle host.
 */
export function UsageChart({
  title,
  chart,
  testId,
  empty = 'No samples yet',
}: {
  title: string;
  chart: ChartData;
  testId: string;
  empty?: string;
}) {
  const sampled = hasSamples(chart);
  return (
    <figure class="usage-chart" data-testid={`${testId}-panel`}>
      <figcaption class="usage-chart-head">
        <span class="usage-chart-title">{title}</span>
        {sampled ? (
          <span class="usage-chart-now muted" data-testid={`${testId}-now`}>
            {chart.series
              .map((s) => `${s.label} ${formatChartValue(chart.unit, latest(s.values))}`)
              .join(' · ')}
          </span>
        ) : null}
      </figcaption>
      {sampled ? (
        <TimeChart chart={chart} label={title} testId={testId} />
      ) : (
        <div class="usage-chart-empty muted" data-testid={`${testId}-empty`}>
          {empty}
        </div>
      )}
    </figure>
  );
}
