import { useEffect, useState } from 'preact/hooks';
import { dismissToast, subscribeToasts, type Toast } from '../state/toasts.js';
import { Icon } from './icons.js';

const ICON = { error: 'alert', success: 'check', info: 'info' } as const;

export function ToastHost() {
  const [toasts, setToasts] = useState<readonly Toast[]>([]);
  useEffect(() => subscribeToasts(setToasts), []);
  return (
    <section class="toasts" aria-live="polite" aria-label="Notifications">
      {toasts.map((toast) => (
        <div
          key={toast.id}
          class={`toast toast-${toast.kind}`}
          role={toast.kind === 'error' ? 'alert' : 'status'}
          data-testid={`toast-${toast.kind}`}
        >
          <Icon name={ICON[toast.kind]} size={18} class="toast-icon" />
          <div class="toast-text">
            <strong>{toast.title}</strong>
            {toast.message ? <p>{toast.message}</p> : null}
            {toast.requestId ? <small class="mono muted">request {toast.requestId}</small> : null}
          </div>
          <button
            type="button"
            class="icon-btn"
            aria-label="Dismiss"
            onClick={() => dismissToast(toast.id)}
          >
            <Icon name="close" size={14} />
          </button>
        </div>
      ))}
    </section>
  );
}
