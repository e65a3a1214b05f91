import { ApiError, InsufficientCapacityDetails } from '@apiary/protocol';

export type ToastKind = 'error' | 'success' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  message?: string;
  /** The API's request id, so an operator can find the matching log line. */
  requestId?: string;
}

type Listener = (toasts: readonly Toast[]) => void;

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<Listener>();
const LIFETIME_MS: Record<ToastKind, number> = { error: 12_000, success: 4000, info: 5000 };

function emit() {
  for (const listener of listeners) listener(toasts);
}

export function subscribeToasts(listener: Listener): () => void {
  listeners.add(listener);
  listener(toasts);
  return () => listeners.delete(listener);
}

export function pushToast(toast: Omit<Toast, 'id'>): number {
  const id = nextId++;
  toasts = [...toasts.slice(-4), { ...toast, id }];
  emit();
  setTimeout(() => dismissToast(id), LIFETIME_MS[toast.kind]);
  return id;
}

export function dismissToast(id: number): void {
  const before = toasts.length;
  toasts = toasts.filter((t) => t.id !== id);
  if (toasts.length !== before) emit();
}

/** An error toast that says what the API said (`msg`), not a generic failure. */
export function toastError(title: string, error: unknown): void {
  pushToast({ kind: 'error', title, message: errorText(error), requestId: requestIdOf(error) });
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    // A placement refusal says per host why: the operator sees what to free or add.
    const refusal = InsufficientCapacityDetails.safeParse(error.details);
    if (error.code !== 'insufficient_capacity' || !refusal.success) return error.message;
    const lines = refusal.data.hosts.map((h) => `${h.hostname}: ${h.reasons.join('; ')}`);
    return [error.message.replace(/ ?\(.*see details\)$/, ''), ...lines].join('\n');
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

function requestIdOf(error: unknown): string | undefined {
  return error instanceof ApiError ? error.requestId : undefined;
}
