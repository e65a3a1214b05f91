import { Counter, Gauge, Histogram, Registry } from './lib/metrics.js';

/** Every metric the controller exports at `/metrics`. */
export function createControllerMetrics() {
  const registry = new Registry();
  /** Set by the core: host counts are computed when `/metrics` is scraped, never on a heartbeat. */
  const sources = {
    hostCounts: (): { liveness: Record<string, number>; policy: Record<string, number> } => ({
      liveness: {},
      policy: {},
    }),
    consoleSessions: (): number => 0,
  };
  return {
    registry,
    sources,
    httpRequests: registry.register(
      new Counter('apiary_http_requests_total', 'HTTP requests by method, route and status'),
    ),
    httpDuration: registry.register(
      new Histogram('apiary_http_request_duration_seconds', 'HTTP request latency by route'),
    ),
    heartbeats: registry.register(
      new Counter('apiary_heartbeats_total', 'Heartbeats received, by result'),
    ),
    placements: registry.register(
      new Counter('apiary_placements_total', 'Environment placements, by result'),
    ),
    placementDuration: registry.register(
      new Histogram(
        'apiary_placement_duration_seconds',
        'Time to place and reserve',
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      ),
    ),
    sagaFailures: registry.register(
      new Counter('apiary_saga_failures_total', 'Environment operations that failed, by kind'),
    ),
    reaperActions: registry.register(
      new Counter('apiary_reaper_actions_total', 'Reaper actions, by action'),
    ),
    livenessTransitions: registry.register(
      new Counter('apiary_host_liveness_transitions_total', 'Host liveness changes, by new state'),
    ),
    hostsLiveness: registry.register(
      new Gauge('apiary_hosts', 'Hosts by liveness', () =>
        Object.entries(sources.hostCounts().liveness).map(([state, n]) => [{ liveness: state }, n]),
      ),
    ),
    hostsPolicy: registry.register(
      new Gauge('apiary_hosts_policy', 'Hosts by scheduling policy', () =>
        Object.entries(sources.hostCounts().policy).map(([policy, n]) => [{ policy }, n]),
      ),
    ),
    consoleConnections: registry.register(
      new Counter(
        'apiary_console_connections_total',
        'Console websocket attempts with a valid ticket or without, by kind and result',
      ),
    ),
    consoleSessions: registry.register(
      new Gauge('apiary_console_sessions', 'Console sessions open now', () => [
        [{}, sources.consoleSessions()],
      ]),
    ),
  };
}
export type ControllerMetrics = ReturnType<typeof createControllerMetrics>;
