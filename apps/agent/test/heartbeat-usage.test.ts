import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeartbeatReq, type UsageSummary, validationIssues } from '@apiary/protocol';
import { silentLogger } from '@apiary/server-kit';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ControllerLink } from '../src/controller/controller-link.js';
import { MAX_AGE_MS, UsageReporter } from '../src/stats/usage-reporter.js';
import { tempDir } from './helpers/temp.js';

/*
 * Heartbeats carry the usage summary only when it moved past a threshold, and a controller
 * older than the field (whose strict heartbeat schema refuses it) still gets heartbeats.
 */

const waitFor = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** The heartbeat schema of a controller built before `usage` existed. */
const OldHeartbeatReq = HeartbeatReq.omit({ usage: true });

/** A controller that parses heartbeats with `schema`, as the real one does with zod. */
function controller(schema: z.ZodType) {
  const accepted: HeartbeatReq[] = [];
  let refused = 0;
  const app = new Hono();
  app.post('/v1/internal/hosts/register', (c) =>
    c.json({
      host_id: 'host_abcdefghijkl',
      host_credential: 'cred',
      heartbeat_interval_ms: 100,
      controller_version: 'test',
      api_version: '1.0',
    }),
  );
  app.post('/v1/internal/hosts/:id/heartbeat', async (c) => {
    const parsed = schema.safeParse(await c.req.json());
    if (!parsed.success) {
      refused++;
      // The error body the server kit sends for a body that breaks its schema.
      const { issues } = validationIssues(parsed.error, { at: 'body' });
      return c.json(
        { msg: 'bad body', code: 'validation', requestId: 'req_x', details: issues },
        400,
      );
    }
    accepted.push(parsed.data as HeartbeatReq);
    return c.json({ next_heartbeat_ms: 100, ack_generation: 1 });
  });
  const fetchImpl = ((input: string | URL | Request, init?: RequestInit) =>
    app.fetch(new Request(input, init))) as typeof fetch;
  return { accepted, refusedCount: () => refused, fetch: fetchImpl };
}

let links: ControllerLink[] = [];
afterEach(async () => {
  await Promise.all(links.map((l) => l.stop()));
  links = [];
});

const summary = (cpu: number, at: number): UsageSummary => ({
  sampled_at: new Date(at).toISOString(),
  cpu_percent: cpu,
  mem_used_bytes: 8 * 2 ** 30,
  mem_total_bytes: 64 * 2 ** 30,
  net_rx_bytes_per_s: 10_000,
  net_tx_bytes_per_s: 20_000,
});

function linkTo(ctl: ReturnType<typeof controller>, usage: UsageReporter) {
  const dir = tempDir('hb');
  writeFileSync(join(dir, 'license'), 'lic_0123456789abcdef0123\n');
  const link = new ControllerLink({
    urls: ['http://controller.test:9200'],
    licenseKeyFile: join(dir, 'license'),
    dataDir: dir,
    hostId: 'host_abcdefghijkl',
    hostname: 'omni1',
    addr: () => 'http://10.0.0.5:9100',
    publicAddr: null,
    storage: 'zvol',
    log: silentLogger(),
    inventory: () => ({
      generation: 1,
      resources: { total: { cpu: 8, mem: 1, disk: 1 }, used: { cpu: 0, mem: 0, disk: 0 } },
      images: [],
      vms: [],
    }),
    mintControllerKey: () => `wh_${'1'.repeat(64)}`,
    usage,
    fetch: ctl.fetch,
    maxBackoffMs: 100,
  });
  links.push(link);
  return link;
}

describe('usage in heartbeats', () => {
  it('is sent once, then only when it moved by more than the threshold', async () => {
    const ctl = controller(HeartbeatReq);
    let current = summary(20, 1);
    linkTo(ctl, new UsageReporter(() => current)).start();
    await waitFor(() => ctl.accepted.length >= 4);
    expect(ctl.accepted.filter((h) => h.usage)).toHaveLength(1);
    expect(ctl.accepted[0]?.usage?.cpu_percent).toBe(20);

    // A newer sample that barely moved: still nothing.
    current = summary(22, 2);
    const seen = ctl.accepted.length;
    await waitFor(() => ctl.accepted.length >= seen + 3);
    expect(ctl.accepted.slice(seen).some((h) => h.usage)).toBe(false);

    // Moved by 15 points: the next heartbeat carries it, once.
    current = summary(37, 3);
    await waitFor(() => ctl.accepted.some((h) => h.usage?.cpu_percent === 37));
    const after = ctl.accepted.length;
    await waitFor(() => ctl.accepted.length >= after + 3);
    expect(ctl.accepted.filter((h) => h.usage)).toHaveLength(2);
  });

  it('goes on without it when the controller refuses the field', async () => {
    const ctl = controller(OldHeartbeatReq.strict());
    const current = summary(50, 1);
    linkTo(ctl, new UsageReporter(() => current)).start();
    await waitFor(() => ctl.accepted.length >= 3);
    expect(ctl.refusedCount()).toBe(1);
    expect(ctl.accepted.every((h) => h.usage === undefined)).toBe(true);
  });

  it('settles a move caught mid-ramp with the next sample, once', () => {
    let sample = 1;
    let cpu = 0.1;
    const reporter = new UsageReporter(() => summary(cpu, sample));
    const send = () => {
      const s = reporter.pending();
      if (s) reporter.delivered(s);
      return s?.cpu_percent;
    };
    expect(send()).toBe(0.1);
    // The first sample after the load rose covers part of an interval: 5.1 moved, sent.
    [sample, cpu] = [2, 5.1];
    expect(send()).toBe(5.1);
    expect(send()).toBeUndefined();
    // The next one is the real figure, less than a threshold away: sent once to settle it.
    [sample, cpu] = [3, 9.4];
    expect(send()).toBe(9.4);
    [sample, cpu] = [4, 9.6];
    expect(send()).toBeUndefined();
  });

  it('is sent again after a while even unchanged', () => {
    let now = 0;
    const reporter = new UsageReporter(
      () => summary(20, now),
      () => now,
    );
    const first = reporter.pending();
    expect(first).toBeDefined();
    reporter.delivered(first as UsageSummary);
    now = MAX_AGE_MS - 1;
    expect(reporter.pending()).toBeUndefined();
    now = MAX_AGE_MS;
    expect(reporter.pending()?.cpu_percent).toBe(20);
  });
});
