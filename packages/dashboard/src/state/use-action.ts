import { useState } from 'preact/hooks';
import { useApp } from './app-context.js';
import { pushToast, toastError } from './toasts.js';
import type { Topic } from './topics.js';

export interface ActionOptions {
  /** Toast title when the call fails; the toast body is the API's own message. */
  errorTitle: string;
  /** Toast shown when it succeeds (omit for actions whose result is visible anyway). */
  success?: string;
  /** Cached data to refresh at once rather than waiting for the event stream. */
  invalidate?: readonly Topic[];
}

/**
 * Runs a mutation with a pending flag (to disable its button), an error toast carrying the API
 * message, and a refresh of the data it changed. Returns undefined when the call failed.
 */
export function useAction() {
  const { cache } = useApp();
  const [pending, setPending] = useState<string | null>(null);
  async function run<T>(
    name: string,
    call: () => Promise<T>,
    options: ActionOptions,
  ): Promise<T | undefined> {
    setPending(name);
    try {
      const result = await call();
      if (options.success) pushToast({ kind: 'success', title: options.success });
      return result;
    } catch (error) {
      toastError(options.errorTitle, error);
      return undefined;
    } finally {
      setPending(null);
      if (options.invalidate) cache.invalidate(options.invalidate);
    }
  }
  return { run, pending };
}
