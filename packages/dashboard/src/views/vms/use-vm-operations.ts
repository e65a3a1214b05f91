import { type VmOperation, type VmOperationAccepted, vmOperationSettled } from '@apiary/protocol';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { useApp } from '../../state/app-context.js';
import { pushToast } from '../../state/toasts.js';
import { useQuery } from '../../state/use-query.js';

const POLL_MS = 1000;

export interface VmOperations {
  /** Newest first: the ones followed live over the VM's recorded list. */
  operations: VmOperation[];
  /** Follow the operation a change was accepted with. */
  track: (accepted: VmOperationAccepted | undefined) => void;
  /** Some operation on this VM is still running. */
  busy: boolean;
}

/**
 * A VM's change operations: the controller's list, plus the ones started here (or seen on the
 * VM as `operation_id`), polled at `GET /v1/operations/{id}` until they settle. When one
 * settles the VM, its snapshots and the images are read again and a toast says how it ended.
 */
export function useVmOperations(
  vmId: string,
  org: string | undefined,
  current: string | null | undefined,
): VmOperations {
  const { api, cache } = useApp();
  const query = org ? { org } : undefined;
  const list = useQuery(
    `vm-ops:${org ?? ''}:${vmId}`,
    (a) => a.listVmOperations({ params: { id: vmId }, query: { limit: 20, ...query } }),
    ['envs'],
  );
  const [live, setLive] = useState<Record<string, VmOperation>>({});
  const track = useCallback((accepted: VmOperationAccepted | undefined) => {
    if (accepted) setLive((all) => ({ ...all, [accepted.operation.id]: accepted.operation }));
  }, []);

  // A change someone else started (or one started before a reload) is followed as well.
  useEffect(() => {
    if (!current || live[current]) return;
    void api
      .getVmOperation({ params: { id: current }, query })
      .then((operation) => setLive((all) => ({ ...all, [operation.id]: operation })))
      .catch(() => {});
  }, [api, current]);

  useEffect(() => {
    const running = Object.values(live).filter((o) => !vmOperationSettled(o));
    if (running.length === 0) return;
    const timer = setTimeout(async () => {
      const next = await Promise.all(
        running.map((o) => api.getVmOperation({ params: { id: o.id }, query }).catch(() => o)),
      );
      setLive((all) => Object.fromEntries([...Object.entries(all), ...next.map((o) => [o.id, o])]));
      const settled = next.filter(vmOperationSettled);
      if (settled.length === 0) return;
      cache.invalidate(['envs', 'hosts', 'images']);
      for (const o of settled) {
        pushToast(
          o.state === 'succeeded'
            ? { kind: 'success', title: `${o.kind.replace('_', ' ')} of ${o.vm_id} done` }
            : {
                kind: 'error',
                title: `${o.kind.replace('_', ' ')} of ${o.vm_id} failed`,
                message: o.error?.msg,
              },
        );
      }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [api, cache, live]);

  const byId = new Map((list.data?.items ?? []).map((o) => [o.id, o]));
  for (const o of Object.values(live)) byId.set(o.id, o);
  const operations = [...byId.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
  return { operations, track, busy: operations.some((o) => !vmOperationSettled(o)) };
}
