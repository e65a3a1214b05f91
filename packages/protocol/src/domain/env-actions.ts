import type { EnvState } from '../schemas/env.js';

/** What a person can ask of a whole environment. */
export type EnvAction = 'stop' | 'start' | 'delete' | 'extend';

interface EnvActionRule {
  /** States the action starts from: the controller moves the environment on from these. */
  from: readonly EnvState[];
  /** States in which the action has already happened: asking again changes nothing. */
  done: readonly EnvState[];
  /** States the environment ends in once the action has run (for `--wait` and progress). */
  ends: readonly EnvState[];
}

/**
 * The one rule for which environment states allow which action. The controller refuses
 * anything else with a `conflict` (the state may settle: try again), and the dashboard and CLI
 * offer an action only where it is allowed and would change something.
 *
 * A stop or start that fails on some VMs leaves the environment `degraded`, which is why
 * `degraded` allows both and ends both. Deleting waits for a create to settle (the create saga
 * owns its VMs until then); an environment that is already being deleted is just resumed.
 */
export const ENV_ACTIONS: Readonly<Record<EnvAction, EnvActionRule>> = {
  stop: { from: ['active', 'degraded'], done: ['stopped'], ends: ['stopped', 'degraded'] },
  start: { from: ['stopped', 'degraded'], done: ['active'], ends: ['active', 'degraded'] },
  delete: {
    from: ['active', 'degraded', 'stopped', 'failed'],
    done: ['deleting', 'deleted'],
    ends: ['deleted'],
  },
  extend: {
    from: ['creating', 'active', 'degraded', 'stopping', 'stopped', 'starting', 'failed'],
    done: [],
    ends: [],
  },
};

/** States a new environment ends in once its create has run (`on_failure` decides which). */
export const ENV_CREATE_ENDS: readonly EnvState[] = ['active', 'degraded', 'failed'];

/** Whether the controller accepts `action` on an environment in `state` (no-ops included). */
export function envActionAllowed(state: EnvState, action: EnvAction): boolean {
  const rule = ENV_ACTIONS[action];
  return rule.from.includes(state) || rule.done.includes(state);
}

/** The actions worth offering on an environment in `state`: allowed, and not already done. */
export function envActionsOffered(state: EnvState): EnvAction[] {
  return (Object.keys(ENV_ACTIONS) as EnvAction[]).filter((action) =>
    ENV_ACTIONS[action].from.includes(state),
  );
}
