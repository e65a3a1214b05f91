import { type StateTone, stateTone } from '@apiary/protocol';

export type Tone = 'green' | 'yellow' | 'red' | 'blue' | 'gray';

/** The chip colour of each shared state tone (`@apiary/protocol`'s `stateTone`). */
const COLOURS: Record<StateTone, Tone> = {
  good: 'green',
  busy: 'blue',
  idle: 'gray',
  warning: 'yellow',
  bad: 'red',
};

export function toneOf(state: string): Tone {
  return COLOURS[stateTone(state)];
}

export function StateChip({ state, testId }: { state: string; testId?: string }) {
  // States on their way somewhere pulse, so the eye knows to wait.
  const busy = stateTone(state) === 'busy' ? ' chip-busy' : '';
  return (
    <span class={`chip chip-${toneOf(state)}${busy}`} data-testid={testId} data-state={state}>
      <span class="chip-dot" aria-hidden="true" />
      {state}
    </span>
  );
}
