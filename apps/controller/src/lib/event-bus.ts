/**
 * Events for the dashboard stream (`GET /v1/events`). Each event names the organization it
 * belongs to (null: fleet-level, super-admins only) so the stream can be scoped. With several
 * controllers, `relay` carries each event to the others (see event-relay.ts), which deliver it
 * to their own subscribers: a client sees every controller's events, each once.
 */
export interface ControllerEvent {
  type:
    | 'host.liveness'
    | 'host.policy'
    | 'host.updated'
    | 'host.removed'
    | 'host.orphans'
    | 'host.networks'
    | 'env.state'
    | 'vm.state'
    /** Something about a VM an operator should know that failed nothing (yet): `msg`. */
    | 'vm.warning'
    | 'drain.progress';
  orgId: string | null;
  data: Record<string, unknown>;
}

type Listener = (event: ControllerEvent) => void;

export class EventBus {
  private listeners = new Set<Listener>();
  /** Carries events published here to the other controllers (none: one controller). */
  relay: ((event: ControllerEvent) => void) | null = null;

  publish(event: ControllerEvent) {
    this.deliver(event);
    this.relay?.(event);
  }

  /** An event another controller published: for the subscribers here only. */
  deliver(event: ControllerEvent) {
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
