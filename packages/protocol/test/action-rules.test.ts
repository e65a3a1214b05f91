import { describe, expect, it } from 'vitest';
import {
  ControllerVmState,
  consoleAvailable,
  ENV_ACTIONS,
  EnvState,
  envActionAllowed,
  envActionsOffered,
  vmActionAllowed,
  vmActionsOffered,
} from '../src/index.js';

describe('environment actions', () => {
  it('offers stop and start where the controller moves the environment on', () => {
    expect(envActionsOffered('active')).toEqual(['stop', 'delete', 'extend']);
    expect(envActionsOffered('degraded')).toEqual(['stop', 'start', 'delete', 'extend']);
    expect(envActionsOffered('stopped')).toEqual(['start', 'delete', 'extend']);
    expect(envActionsOffered('failed')).toEqual(['delete', 'extend']);
  });

  it('offers nothing but extend while an environment is on its way somewhere', () => {
    for (const state of ['creating', 'starting', 'stopping'] as const) {
      expect(envActionsOffered(state)).toEqual(['extend']);
    }
    expect(envActionsOffered('deleting')).toEqual([]);
    expect(envActionsOffered('deleted')).toEqual([]);
  });

  it('allows asking again for what is already done, without offering it', () => {
    expect(envActionAllowed('stopped', 'stop')).toBe(true);
    expect(envActionsOffered('stopped')).not.toContain('stop');
    expect(envActionAllowed('active', 'start')).toBe(true);
    expect(envActionAllowed('deleting', 'delete')).toBe(true);
    expect(envActionAllowed('starting', 'stop')).toBe(false);
    expect(envActionAllowed('creating', 'delete')).toBe(false);
  });

  it('names only real states, and ends every action in a settled one', () => {
    const transient: EnvState[] = ['creating', 'starting', 'stopping', 'deleting'];
    for (const rule of Object.values(ENV_ACTIONS)) {
      for (const state of [...rule.from, ...rule.done, ...rule.ends]) {
        expect(EnvState.options).toContain(state);
      }
      for (const end of rule.ends) expect(transient).not.toContain(end);
    }
  });
});

describe('VM actions', () => {
  it('offers power actions by VM state while the environment is settled', () => {
    expect(vmActionsOffered('running', 'active')).toEqual(['stop', 'restart']);
    expect(vmActionsOffered('starting', 'degraded')).toEqual(['stop']);
    expect(vmActionsOffered('stopped', 'stopped')).toEqual(['start', 'restart']);
    expect(vmActionsOffered('pending', 'active')).toEqual([]);
    expect(vmActionsOffered('unknown', 'active')).toEqual([]);
  });

  it('offers none while the whole environment is being changed', () => {
    for (const env of ['creating', 'starting', 'stopping', 'deleting', 'failed'] as const) {
      expect(vmActionsOffered('running', env)).toEqual([]);
    }
  });

  it('accepts a repeated stop or start as a no-op, and refuses unknown states', () => {
    expect(vmActionAllowed('stopped', 'stop')).toBe(true);
    expect(vmActionAllowed('running', 'start')).toBe(true);
    expect(vmActionAllowed('deleting', 'restart')).toBe(false);
    expect(vmActionAllowed('exploded', 'stop')).toBe(false);
    for (const state of ControllerVmState.options) {
      expect(vmActionsOffered(state, 'active').every((a) => vmActionAllowed(state, a))).toBe(true);
    }
  });

  it('opens the serial console while a VM boots or shuts down, VNC only while it runs', () => {
    expect(consoleAvailable('starting', 'serial')).toBe(true);
    expect(consoleAvailable('stopping', 'serial')).toBe(true);
    expect(consoleAvailable('starting', 'vnc')).toBe(false);
    expect(consoleAvailable('running', 'vnc')).toBe(true);
    expect(consoleAvailable('stopped', 'serial')).toBe(false);
  });
});
