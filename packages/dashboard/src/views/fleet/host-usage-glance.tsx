import type { Host } from '@apiary/protocol';
import { Ago } from '../../ui/ago.js';
import { UsedReservedBar } from '../../ui/used-reserved.js';

const MIB = 1024 * 1024;

/**
 * A host card's used-versus-reserved figures: the agent's latest summary (`host.usage`, sent
 * with heartbeats when it moves) against the capacity reserved by placements.
 */
export function HostUsageGlance({ host }: { host: Host }) {
  const { total, reserved } = host.capacity;
  const usage = host.usage;
  const share = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
  const memTotal = usage?.mem_total_bytes || total.mem * MIB;
  return (
    <div class="host-usage-glance" data-testid="host-usage-glance">
      <UsedReservedBar
        label="CPU"
        used={usage ? usage.cpu_percent / 100 : null}
        reserved={share(reserved.cpu, total.cpu)}
      />
      <UsedReservedBar
        label="Memory"
        used={usage ? share(usage.mem_used_bytes, memTotal) : null}
        reserved={share(reserved.mem, total.mem)}
      />
      <span class="muted small" data-testid="usage-sampled">
        {usage ? (
          <>
            usage sampled <Ago at={usage.sampled_at} />
          </>
        ) : (
          'no usage reported yet'
        )}
      </span>
    </div>
  );
}
