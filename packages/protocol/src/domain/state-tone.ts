/** How a state should strike the eye, the same in the terminal and in the browser. */
export type StateTone = 'good' | 'busy' | 'idle' | 'warning' | 'bad';

const TONES: Readonly<Record<string, StateTone>> = {
  running: 'good',
  active: 'good',
  ready: 'good',
  complete: 'good',
  succeeded: 'good',
  eligible: 'good',
  creating: 'busy',
  importing: 'busy',
  starting: 'busy',
  stopping: 'busy',
  deleting: 'busy',
  pending: 'busy',
  draining: 'busy',
  stopped: 'idle',
  deleted: 'idle',
  cancelled: 'idle',
  revoked: 'idle',
  maintenance: 'idle',
  degraded: 'warning',
  suspect: 'warning',
  unknown: 'warning',
  failed: 'bad',
  down: 'bad',
};

/**
 * The tone of any state Apiary reports (environment, VM, host liveness and policy, drain,
 * operation). `busy` states are on their way somewhere; a state not listed is `idle`.
 */
export function stateTone(state: string): StateTone {
  return TONES[state] ?? 'idle';
}
