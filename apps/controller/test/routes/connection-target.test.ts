import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trustedFetch } from '@apiary/server-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { checkAgentTarget, classifyAddress } from '../../src/agents/agent-target.js';
import { pinnedLookup } from '../../src/agents/pinned-lookup.js';
import { FakeAgent } from '../helpers/fake-agent.js';
import { createHarness, type Harness, json } from '../helpers/harness.js';

/*
 * `POST /v1/hosts/test` and `POST /v1/hosts` make the controller connect where the caller says.
 * An org admin must not be able to use that to probe the controller's own machine or the
 * link-local network (a cloud's metadata service), by address or by a name that resolves there.
 */

let h: Harness;
afterEach(async () => h?.close());

const probe = (addr: string, path = '/v1/hosts/test') => h.req('POST', path, { addr });

describe('the connection test refuses special targets', () => {
  it.each([
    '127.0.0.1:9200',
    '127.1.2.3:22',
    '[::1]:9200',
    'http://[::ffff:127.0.0.1]:9200',
    '169.254.169.254:80',
    '[fe80::1]:9100',
    '0.0.0.0:9200',
    '224.0.0.1:9100',
    '255.255.255.255:9100',
  ])('refuses %s with 403 before connecting', async (addr) => {
    h = await createHarness();
    const res = await probe(addr);
    expect(res.status).toBe(403);
    expect((await json<{ code: string }>(res)).code).toBe('forbidden');
    expect((await probe(addr, '/v1/hosts')).status).toBe(403);
  });

  it('checks every address a name resolves to (a public one does not vouch for the rest)', async () => {
    h = await createHarness();
    h.network.dns.set('sneaky.test', ['192.0.2.7', '127.0.0.1']);
    h.network.dns.set('metadata.test', ['169.254.169.254']);
    const sneaky = await probe('sneaky.test:9100');
    expect(sneaky.status).toBe(403);
    expect((await json<{ msg: string }>(sneaky)).msg).toContain('sneaky.test (127.0.0.1)');
    expect((await probe('http://metadata.test:80')).status).toBe(403);
    // An https:// target is only shown its certificate, and not even that where it is refused.
    expect((await probe('metadata.test:443')).status).toBe(403);
    expect((await probe('https://sneaky.test:9100')).status).toBe(403);
    // An ordinary name is tested as before: nobody answers there.
    const plain = await json<{ ok: boolean; result: string }>(
      await probe('http://plain.test:9100'),
    );
    expect(plain).toMatchObject({ ok: false, result: 'refused' });
  });

  it('lets an operator allow loopback explicitly, and only loopback', async () => {
    h = await createHarness({ config: { allowAgentTargets: ['loopback'] } });
    const agent = new FakeAgent({ hostId: 'host_loop00000001' });
    h.network.add('http://127.0.0.1:9100', agent);
    const res = await json<{ ok: boolean }>(
      await h.req('POST', '/v1/hosts/test', { addr: '127.0.0.1:9100', api_key: agent.key }),
    );
    expect(res.ok).toBe(true);
    expect((await probe('169.254.169.254:80')).status).toBe(403);
  });

  it('says so when a name does not resolve', async () => {
    h = await createHarness();
    h.network.dns.set('nowhere.test', []);
    const res = await json<{ ok: boolean; msg: string }>(await probe('nowhere.test:9100'));
    expect(res).toMatchObject({ ok: false, msg: 'nowhere.test has no address' });
  });
});

describe('address classification', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1%net0', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['239.1.2.3', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['10.0.0.2', null],
    ['192.168.1.10', null],
    ['2001:db8::1', null],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

describe('pinned connections', () => {
  it('connect to the checked address, never to what the name resolves to later', async () => {
    const server = createServer((req, res) => res.end(`host=${req.headers.host}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      // `.invalid` never resolves (RFC 6761): only the pinned address can make this work.
      const url = `http://agent.invalid:${port}/api/info`;
      const addresses = await checkAgentTarget(url, {
        allow: new Set(['loopback']),
        resolve: async () => ['127.0.0.1'],
      });
      const pinned = trustedFetch({ kind: 'system' }, { lookup: pinnedLookup(addresses) });
      const res = await pinned.fetch(url);
      expect(await res.text()).toBe(`host=agent.invalid:${port}`);
      await expect(fetch(url)).rejects.toThrow();
      await pinned.close();
    } finally {
      server.close();
    }
  });
});
