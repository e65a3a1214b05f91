import { formatMiBOf } from '@apiary/protocol';
import { percent } from '../lib/format.js';

/**
 * Reserved-of-total bar; turns amber past 75 % and red past 90 % so hot hosts stand out.
 * `unit` is `vcpu` or `mib` (memory and disk arrive in MiB).
 */
export function CapacityBar({
  label,
  used,
  total,
  unit,
}: {
  label: string;
  used: number;
  total: number;
  unit: 'vcpu' | 'mib';
}) {
  const share = percent(used, total);
  const level = share >= 90 ? 'hot' : share >= 75 ? 'warm' : 'ok';
  const text =
    unit === 'mib' ? formatMiBOf(used, total) : { used: String(used), total: `${total} vCPU` };
  return (
    <div class="capacity" data-testid={`capacity-${label.toLowerCase()}`}>
      <div class="capacity-head">
        <span class="capacity-label">{label}</span>
        <span class="capacity-value">
          {text.used} <span class="muted">/ {text.total}</span>
          <span class="capacity-share">{share}%</span>
        </span>
      </div>
      {/* The numbers above say it in words; the bar is for the eye. */}
      <div class={`bar bar-${level}`} aria-hidden="true" data-percent={share}>
        <span style={{ width: `${share}%` }} />
      </div>
    </div>
  );
}

export function ProgressBar({
  value,
  total,
  tone = 'accent',
  label,
}: {
  value: number;
  total: number;
  tone?: 'accent' | 'green' | 'red';
  label: string;
}) {
  const share = percent(value, total);
  return (
    <div class={`bar bar-${tone}`} aria-hidden="true" title={`${label}: ${share}%`}>
      <span style={{ width: `${share}%` }} />
    </div>
  );
}
