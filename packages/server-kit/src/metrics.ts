import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Seconds-based buckets for request and command latencies, from 1 ms to 30 s. */
export const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** Buckets for multi-step work (saga steps, boots, image pulls): 10 ms to 10 min. */
export const STEP_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

const MISNAMED_DEFAULT_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export interface MetricsOptions {
  /** Metric name prefix, e.g. `apiary` or `apiary_agent`. */
  namespace: string;
  /** Node.js process metrics (CPU, memory, event loop, GC). Off only in tests that build many apps. */
  processMetrics?: boolean;
}

/**
 * A registry with what every daemon exports: process metrics and HTTP request metrics. Each
 * daemon registers its own metrics on `registry` beside these.
 */
export function createServerMetrics(options: MetricsOptions) {
  const registry = new Registry();
  if (options.processMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // Gauges named like counters (promtool refuses them); the per-type series of the same
    // name without `_total` stay, and their sum is the total.
    for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  }
  const ns = options.namespace;
  return {
    registry,
    namespace: ns,
    httpRequests: new Counter({
      name: `${ns}_http_requests_total`,
      help: 'HTTP requests served, by method, route and status.',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: `${ns}_http_request_duration_seconds`,
      help: 'Time to answer an HTTP request, by method and route.',
      labelNames: ['method', 'route'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
  };
}
export type ServerMetrics = ReturnType<typeof createServerMetrics>;

/** The text exposition of `registry`, as a `/metrics` response. */
export async function metricsResponse(registry: Registry): Promise<Response> {
  return new Response(await registry.metrics(), {
    headers: { 'content-type': registry.contentType },
  });
}
