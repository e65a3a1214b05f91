export type Tone = 'green' | 'yellow' | 'red' | 'blue' | 'gray';

const TONES: Record<string, Tone> = {
  running: 'green',
  active: 'green',
  ready: 'green',
  complete: 'green',
  eligible: 'green',
  creating: 'blue',
  starting: 'blue',
  stopping: 'blue',
  deleting: 'blue',
  pending: 'blue',
  draining: 'blue',
  stopped: 'gray',
  deleted: 'gray',
  cancelled: 'gray',
  revoked: 'gray',
  maintenance: 'gray',
  degraded: 'yellow',
  suspect: 'yellow',
  unknown: 'yellow',
  failed: 'red',
  down: 'red',
};

/** States that are on their way somewhere: the chip pulses so the eye knows to wait. */
const TRANSITIONAL = new Set([
  'creating',
  'starting',
  'stopping',
  'deleting',
  'pending',
  'draining',
]);

export function toneOf(state: string): Tone {
  return TONES[state] ?? 'gray';
}

export function StateChip({ state, testId }: { state: string; testId?: string }) {
  const tone = toneOf(state);
  return (
    <span
      class={`chip chip-${tone}${TRANSITIONAL.has(state) ? ' chip-busy' : ''}`}
      data-testid={testId}
      data-state={state}
    >
      <span class="chip-dot" aria-hidden="true" />
      {state}
    </span>
  );
}
