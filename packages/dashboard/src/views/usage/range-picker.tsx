import { STATS_RANGES, type StatsRange } from '../../lib/stats-range.js';

export function RangePicker({
  value,
  onChange,
}: {
  value: StatsRange;
  onChange: (range: StatsRange) => void;
}) {
  return (
    <div
      class="segmented segmented-sm"
      role="tablist"
      aria-label="Time range"
      data-testid="range-picker"
    >
      {STATS_RANGES.map((r) => (
        <button
          key={r.id}
          type="button"
          role="tab"
          aria-selected={value === r.id}
          class={value === r.id ? 'active' : undefined}
          onClick={() => onChange(r.id)}
          data-range={r.id}
        >
          {r.label}
        </button>
      ))}
    </div>
  );
}
