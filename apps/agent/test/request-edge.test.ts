import { readFileSync } from 'node:fs';
import { promtoolCheck } from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { ensureClaimToken } from '../src/auth/claim-token.js';
import { noHostAgent } from './helpers/no-host-agent.js';

/*
 * What every agent route shares (the server kit): the API key is checked before a body is read,
 * secrets never reach the log, and /metrics is a valid Prometheus exposition.
 */

describe('credentials before bodies', () => {
  it('answers an unauthenticated 1 MiB create with 401 without reading the body', async () => {
    const { agent } = noHostAgent();
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        if (pulled > 16) controller.close();
        else controller.enqueue(new Uint8Array(64 * 1024).fill(0x5b));
      },
    });
    const res = await agent.app.request('/api/vms', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(401);
    expect(pulled).toBeLessThanOrEqual(1);
  });
});

describe('logs', () => {
  it('never contain a key, claim token or secret a request carried, at debug level', async () => {
    const { agent, config, key, logLines } = noHostAgent();
    const admin = key('admin');
    const json = { 'content-type': 'application/json' };
    const created = await agent.app.request('/api/api-keys', {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, ...json },
      body: JSON.stringify({ name: 'ops', role: 'operator' }),
    });
    const operatorKey = ((await created.json()) as { key: string }).key;
    await agent.app.request('/api/vms', { headers: { authorization: `Bearer ${operatorKey}` } });
    await agent.app.request('/api/vms', { headers: { authorization: 'Bearer wh_wrong-key-123' } });
    const claim = readFileSync(ensureClaimToken(config.dataDir), 'utf8').trim();
    for (const token of [claim, 'not-the-claim-token-1']) {
      await agent.app.request('/api/api-keys/bootstrap', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ claim_token: token, name: 'x' }),
      });
    }
    const secrets = [admin, operatorKey, 'wh_wrong-key-123', claim, 'not-the-claim-token-1'];
    const text = logLines.join('\n');
    expect(logLines.length).toBeGreaterThanOrEqual(4);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(text).not.toContain(secret);
    }
  });
});

describe('/metrics', () => {
  it('passes promtool check metrics after some traffic', async () => {
    const { agent, key } = noHostAgent();
    await agent.app.request('/api/vms', { headers: { authorization: `Bearer ${key('viewer')}` } });
    await agent.app.request('/api/nope');
    const text = await (await agent.app.request('/metrics')).text();
    expect(text).toContain('apiary_agent_http_request_duration_seconds_bucket');
    expect(promtoolCheck(text)).toBe('');
  });
});
