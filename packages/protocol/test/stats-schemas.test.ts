import { describe, expect, it } from 'vitest';
import { agentRoutes, HeartbeatReq, StatsQuery, UsageSummary } from '../src/index.js';

const usage = {
  sampled_at: '2025-01-01T00:00:00.000Z',
  cpu_percent: 12.5,
  mem_used_bytes: 1024,
  mem_total_bytes: 4096,
  net_rx_bytes_per_s: 10,
  net_tx_bytes_per_s: null,
};

describe('usage in heartbeats', () => {
  it('is an optional part of a heartbeat, which stays strict about anything else', () => {
    expect(HeartbeatReq.safeParse({ generation: 3 }).success).toBe(true);
    expect(HeartbeatReq.parse({ generation: 3, usage }).usage).toEqual(usage);
    expect(HeartbeatReq.safeParse({ generation: 3, usage, extra: 1 }).success).toBe(false);
    expect(HeartbeatReq.safeParse({ generation: 3, usage: { cpu_percent: 101 } }).success).toBe(
      false,
    );
  });

  it('drops figures a newer agent adds to the summary instead of refusing the heartbeat', () => {
    expect(UsageSummary.parse({ ...usage, gpu_percent: 3 })).toEqual(usage);
  });
});

describe('stats queries', () => {
  it('take a timestamp or a duration for since, and a duration for step', () => {
    expect(StatsQuery.safeParse({ since: '2025-01-01T00:00:00Z', step: '1m' }).success).toBe(true);
    expect(StatsQuery.safeParse({ since: '6h', step: '10' }).success).toBe(true);
    expect(StatsQuery.safeParse({ since: 'yesterday' }).success).toBe(false);
    expect(StatsQuery.safeParse({ step: '0s' }).success).toBe(false);
    expect(StatsQuery.safeParse({ limit: '5' }).success).toBe(false);
  });

  it('serve /stats to any agent key (viewer), the path Zoneweaver clients test keys with', () => {
    expect(agentRoutes.statsSummary).toMatchObject({
      method: 'GET',
      path: '/stats',
      auth: 'agent_key',
      role: 'viewer',
    });
  });
});
