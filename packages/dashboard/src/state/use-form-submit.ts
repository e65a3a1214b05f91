import { useState } from 'preact/hooks';
import { type FieldErrors, type FormCheck, refusalByField } from '../lib/form-errors.js';
import { useApp } from './app-context.js';
import { pushToast, toastError } from './toasts.js';
import type { Topic } from './topics.js';

export interface FormSubmitOptions<T, R, F extends string> {
  /** The request fields, in the order errors are shown; a refusal's other paths go on `fallback`. */
  fields: readonly F[];
  fallback: F;
  /** The form checked with the protocol's schema: the body to send, or per-field errors. */
  check: () => FormCheck<T, F>;
  send: (body: T) => Promise<R>;
  /** Toast title when the controller refuses (its message is the toast's body). */
  errorTitle: (body: T) => string;
  /** Toast when it succeeds; none when the result shows for itself. */
  success?: (body: T, result: R) => string;
  /** Cached data the change makes stale. */
  invalidate?: readonly Topic[];
  onDone: (result: R) => void;
}

/**
 * A form dialog's submit: check with the protocol's schema (nothing is sent while a field is
 * wrong), send, and on a refusal put the controller's validation issues (4xx) on the same
 * fields and its message in a toast. `busy` spans the request.
 */
export function useFormSubmit<T, R, F extends string>(options: FormSubmitOptions<T, R, F>) {
  const { cache } = useApp();
  const [errors, setErrors] = useState<FieldErrors<F>>({});
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const checked = options.check();
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    let result: R;
    try {
      result = await options.send(checked.value);
    } catch (error) {
      setErrors(refusalByField(error, options.fields, options.fallback));
      toastError(options.errorTitle(checked.value), error);
      setBusy(false);
      return;
    } finally {
      if (options.invalidate) cache.invalidate(options.invalidate);
    }
    setBusy(false);
    if (options.success)
      pushToast({ kind: 'success', title: options.success(checked.value, result) });
    options.onDone(result);
  };
  return { errors, busy, submit: () => void submit() };
}
