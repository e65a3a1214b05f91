import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What every log line written on behalf of a piece of work carries: the request that started
 * it and the objects it acts on. Kept in AsyncLocalStorage so nobody threads ids by hand; work
 * started by a request (a saga continuing after the 202) keeps the request's bindings, and work
 * resumed later re-enters a scope with the ids it stored.
 */
export interface LogBindings {
  request_id?: string;
  host_id?: string;
  env_id?: string;
  vm_id?: string;
  operation_id?: string;
  saga_id?: string;
}

const scope = new AsyncLocalStorage<LogBindings>();

/** Runs `fn` with `bindings` added to (and overriding) the current ones. */
export function withLogBindings<T>(bindings: LogBindings, fn: () => T): T {
  const current = scope.getStore();
  return scope.run(current ? { ...current, ...bindings } : bindings, fn);
}

/** The bindings in force here (an empty object outside any scope). */
export function currentBindings(): LogBindings {
  return scope.getStore() ?? {};
}

/** The id of the request this code runs for, if any: forwarded to agents, put in error bodies. */
export function currentRequestId(): string | undefined {
  return scope.getStore()?.request_id;
}
