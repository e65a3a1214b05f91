/**
 * In-process events for the dashboard stream (`GET /v1/events`). Each event names the
 * organization it belongs to (null: fleet-level, super-admins only) so the stream can be scoped.
 */
export interface ControllerEvent {
  type:
    | 'host.liveness'
    | 'host.policy'
    | 'host.updated'
    | 'host.removed'
    | 'host.orphans'
    | 'env.state'
    | 'vm.state'
    | 'drain.progress';
  orgId: string | null;
  data: Record<string, unknown>;
}

type Listener = (event: ControllerEvent) => void;

export class EventBus {
  private listeners = new Set<Listener>();

  publish(event: ControllerEvent) {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken subscriber must not stop the publisher (or the other subscribers).
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size() {
    return this.listeners.size;
  }
}
