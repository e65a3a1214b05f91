import type { EnvState } from '../schemas/env.js';
import type { ControllerVmState } from '../schemas/vm.js';

/** What a person can ask of one VM. */
export type VmAction = 'stop' | 'start' | 'restart';

/** Kinds of console a VM offers. */
export type VmConsoleKind = 'serial' | 'vnc';

/**
 * The one rule for which VM states allow which power action (`from`), and in which the action
 * has already happened (`done`: the agent accepts it and changes nothing). A restart of a
 * stopped VM boots it.
 */
export const VM_ACTIONS: Readonly<
  Record<VmAction, { from: readonly ControllerVmState[]; done: readonly ControllerVmState[] }>
> = {
  stop: { from: ['running', 'starting'], done: ['stopped'] },
  start: { from: ['stopped'], done: ['running'] },
  restart: { from: ['running', 'stopped'], done: [] },
};

/**
 * A VM is powered on its own only while its environment is settled; during a create, start,
 * stop or delete of the whole environment that work owns the VMs.
 */
export const VM_ACTION_ENV_STATES: readonly EnvState[] = ['active', 'degraded', 'stopped'];

/**
 * States with a console to attach to. The serial console is worth watching while a VM boots
 * or shuts down (zlogin -C shows both); VNC exists only while bhyve runs.
 */
export const CONSOLE_STATES: Readonly<Record<VmConsoleKind, readonly ControllerVmState[]>> = {
  serial: ['running', 'starting', 'stopping'],
  vnc: ['running'],
};

/** `state` is a string: the controller keeps VM states as text, and an unknown one allows nothing. */
function isIn(states: readonly ControllerVmState[], state: string): boolean {
  return (states as readonly string[]).includes(state);
}

/** Whether the controller accepts `action` on a VM in `state` (no-ops included). */
export function vmActionAllowed(state: string, action: VmAction): boolean {
  return isIn(VM_ACTIONS[action].from, state) || isIn(VM_ACTIONS[action].done, state);
}

/** The power actions worth offering on a VM: allowed for it and its environment, not done. */
export function vmActionsOffered(state: string, envState: EnvState): VmAction[] {
  if (!VM_ACTION_ENV_STATES.includes(envState)) return [];
  return (Object.keys(VM_ACTIONS) as VmAction[]).filter((action) =>
    isIn(VM_ACTIONS[action].from, state),
  );
}

/** Whether a console of this kind can be opened on a VM in `state`. */
export function consoleAvailable(state: string, kind: VmConsoleKind): boolean {
  return isIn(CONSOLE_STATES[kind], state);
}
