import { describe, expect, it } from 'vitest';
import { ControllerVmState, EnvState, stateTone } from '../src/index.js';

describe('stateTone', () => {
  it('marks states on their way somewhere as busy', () => {
    for (const state of ['creating', 'starting', 'stopping', 'deleting', 'pending', 'draining']) {
      expect(stateTone(state)).toBe('busy');
    }
  });

  it('tells healthy, resting, worrying and broken states apart', () => {
    expect(stateTone('running')).toBe('good');
    expect(stateTone('active')).toBe('good');
    expect(stateTone('stopped')).toBe('idle');
    expect(stateTone('degraded')).toBe('warning');
    expect(stateTone('unknown')).toBe('warning');
    expect(stateTone('failed')).toBe('bad');
    expect(stateTone('down')).toBe('bad');
    expect(stateTone('no-such-state')).toBe('idle');
  });

  it('gives every environment and VM state a deliberate tone', () => {
    const idleOnPurpose = ['stopped', 'deleted'];
    for (const state of [...EnvState.options, ...ControllerVmState.options]) {
      if (!idleOnPurpose.includes(state)) expect(stateTone(state), state).not.toBe('idle');
    }
  });
});
