import { type VmOperation, vmOperationSettled } from '@apiary/protocol';
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../../state/app-context.js';
import { pushToast } from '../../state/toasts.js';

const POLL_MS = 500;

/**
 * A fetch or box pull the controller accepted (202): its operation, polled at
 * `GET /v1/operations/{id}` until it settles, so the dialog shows the download's bytes and the
 * phase after it. A success reads the images again and calls `onStored`; a failure stays in the
 * dialog with its message.
 */
export function useIntakeOperation(onStored: () => void) {
  const { api, cache } = useApp();
  const [operation, follow] = useState<VmOperation | null>(null);
  useEffect(() => {
    if (!operation || vmOperationSettled(operation)) return;
    const timer = setTimeout(async () => {
      const next = await api
        .getVmOperation({ params: { id: operation.id } })
        .catch(() => operation);
      follow(next);
      if (!vmOperationSettled(next)) return;
      cache.invalidate(['images', 'status']);
      if (next.state === 'succeeded') {
        pushToast({ kind: 'success', title: `Image ${next.result?.image ?? ''} stored` });
        onStored();
      }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [api, cache, operation]);
  const running = operation !== null && !vmOperationSettled(operation);
  const failed = operation?.state === 'failed' ? (operation.error?.msg ?? 'it failed') : undefined;
  return { operation, follow, running, failed };
}
