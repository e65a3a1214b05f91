import { afterEach, describe, expect, it } from 'vitest';
import { FakeAgent } from '../helpers/fake-agent.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { serveCore } from '../helpers/serve-core.js';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

interface Beat {
  path: string;
  token?: string;
  body: string;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function answerOf(res: Response): Promise<Answer> {
  const { requestId: _id, ...body } = (await res.json()) as Record<string, unknown>;
  // The next beat's delay is jittered per answer: its presence is what must match.
  if (typeof body.next_heartbeat_ms === 'number') body.next_heartbeat_ms = 'a number';
  return { status: res.status, body };
}

function init(beat: Beat): RequestInit {
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(beat.token ? { authorization: `Bearer ${beat.token}` } : {}),
    },
    body: beat.body,
  };
}

async function setup(): Promise<{ h: Harness; url: string }> {
  const h = await createHarness({ manualClock: true });
  cleanups.push(() => h.close());
  const served = await serveCore(h.core);
  cleanups.push(() => served.close());
  return { h, url: served.url };
}

describe('heartbeats on the fast lane', () => {
  it('answer every case as the bound route does, and count in the same metrics', async () => {
    const { h, url } = await setup();
    const { agent, credential } = await h.addAgent({ hostId: 'host_lane' });
    const inventory = JSON.stringify({
      generation: agent.generation,
      inventory: agent.inventory(),
    });
    const beats: Array<[string, Beat]> = [
      [
        'a plain beat',
        {
          path: `/v1/internal/hosts/host_lane/heartbeat`,
          token: credential,
          body: `{"generation":${agent.generation}}`,
        },
      ],
      [
        'through /api',
        {
          path: `/api/internal/hosts/host_lane/heartbeat`,
          token: credential,
          body: `{"generation":${agent.generation}}`,
        },
      ],
      [
        'with an inventory',
        { path: `/v1/internal/hosts/host_lane/heartbeat`, token: credential, body: inventory },
      ],
      [
        'no credential',
        { path: `/v1/internal/hosts/host_lane/heartbeat`, body: '{"generation":1}' },
      ],
      [
        'a wrong credential',
        {
          path: `/v1/internal/hosts/host_lane/heartbeat`,
          token: 'hc_wrong',
          body: '{"generation":1}',
        },
      ],
      [
        'an unknown host',
        {
          path: `/v1/internal/hosts/host_nobody/heartbeat`,
          token: credential,
          body: '{"generation":1}',
        },
      ],
      [
        'a bad host id',
        {
          path: `/v1/internal/hosts/NOT..VALID/heartbeat`,
          token: credential,
          body: '{"generation":1}',
        },
      ],
      [
        'a body the schema refuses',
        {
          path: `/v1/internal/hosts/host_lane/heartbeat`,
          token: credential,
          body: '{"generation":-4}',
        },
      ],
      [
        'not JSON',
        {
          path: `/v1/internal/hosts/host_lane/heartbeat`,
          token: credential,
          body: '{"generation"',
        },
      ],
    ];
    for (const [name, beat] of beats) {
      const viaLane = await answerOf(await fetch(`${url}${beat.path}`, init(beat)));
      const viaHono = await answerOf(await h.core.app.request(beat.path, init(beat)));
      expect({ name, ...viaLane }).toEqual({ name, ...viaHono });
    }
    // Both ways count under the route's pattern: one series, whichever served it.
    const metrics = await (await h.core.app.request('/metrics')).text();
    const served = metrics.match(
      /apiary_http_requests_total\{method="POST",route="\/v1\/internal\/hosts\/:id\/heartbeat",status="200"\} (\d+)/,
    );
    expect(Number(served?.[1])).toBeGreaterThanOrEqual(4);
  });

  it('keeps the host up, as the agent sees it', async () => {
    const { h, url } = await setup();
    const agent = new FakeAgent({ hostId: 'host_up' });
    const { credential } = await h.addAgent({ hostId: agent.hostId });
    const res = await fetch(`${url}/v1/internal/hosts/host_up/heartbeat`, {
      ...init({ path: '', token: credential, body: '{"generation":0}' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    const body = (await res.json()) as { next_heartbeat_ms: number };
    expect(body.next_heartbeat_ms).toBeGreaterThan(0);
    const host = (await (await h.req('GET', '/v1/hosts/host_up')).json()) as { liveness: string };
    expect(host.liveness).toBe('ready');
  });
});
