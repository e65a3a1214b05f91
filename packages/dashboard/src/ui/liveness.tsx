import type { HostLiveness, HostPolicy } from '@apiary/protocol';

const LIVENESS_COLOR: Record<HostLiveness, string> = {
  ready: 'green',
  suspect: 'yellow',
  down: 'red',
};

/** Green / yellow / red, always with the word: color alone is not an answer. */
export function Liveness({ liveness }: { liveness: HostLiveness }) {
  return (
    <span class="liveness" data-testid="host-liveness" data-liveness={liveness}>
      <span class={`dot dot-${LIVENESS_COLOR[liveness]}`} aria-hidden="true" />
      {liveness}
    </span>
  );
}

export function PolicyBadge({ policy }: { policy: HostPolicy }) {
  return (
    <span class={`badge badge-${policy}`} data-testid="host-policy" data-policy={policy}>
      {policy}
    </span>
  );
}
