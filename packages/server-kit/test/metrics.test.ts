import { promtoolCheck } from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { createServerMetrics, metricsResponse } from '../src/metrics.js';

describe('createServerMetrics', () => {
  it('exports process metrics and request histograms with seconds buckets', async () => {
    const m = createServerMetrics({ namespace: 'apiary_test' });
    m.httpRequests.inc({ method: 'GET', route: '/x', status: '200' });
    m.httpDuration.observe({ method: 'GET', route: '/x' }, 0.003);
    const res = await metricsResponse(m.registry);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE apiary_test_http_request_duration_seconds histogram');
    expect(text).toContain(
      'apiary_test_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/x"} 1',
    );
    expect(text).toContain('process_cpu_seconds_total');
    expect(promtoolCheck(text)).toBe('');
  });
});
