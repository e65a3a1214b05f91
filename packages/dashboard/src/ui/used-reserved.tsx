import { formatShare } from '../lib/usage-units.js';

/**
 * What a host really uses next to what is reserved on it, on one bar: the reserved share as
 * a light band, the used share as a solid bar over it. A host can use more than is reserved
 * (the global zone, device emulation) or far less (idle VMs); both show at a glance.
 * Shares are 0..1; `used` is null when the host has sent no usage yet.
 */
export function UsedReservedBar({
  label,
  used,
  reserved,
}: {
  label: string;
  used: number | null;
  reserved: number;
}) {
  const width = (share: number) => `${Math.round(Math.max(0, Math.min(1, share)) * 1000) / 10}%`;
  return (
    <div class="used-reserved" data-testid={`used-reserved-${label.toLowerCase()}`}>
      <div class="capacity-head">
        <span class="capacity-label">{label}</span>
        <span class="capacity-value">
          <span data-testid="used-share">used {used === null ? '—' : formatShare(used)}</span>
          <span class="muted" data-testid="reserved-share">
            {' '}
            · reserved {formatShare(reserved)}
          </span>
        </span>
      </div>
      <div
        class="bar used-reserved-bar"
        aria-hidden="true"
        data-used={used ?? ''}
        data-reserved={reserved}
      >
        <span class="reserved-band" style={{ width: width(reserved) }} />
        {used === null ? null : <span class="used-fill" style={{ width: width(used) }} />}
      </div>
    </div>
  );
}
