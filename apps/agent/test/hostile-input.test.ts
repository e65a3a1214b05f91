import { beforeAll, describe, expect, it } from 'vitest';
import { buildZfsImage } from './helpers/images.js';
import { type SimAgent, simAgent } from './helpers/sim-agent.js';

/*
 * Hostile input gets 400 and no host command runs: the simulator's command log does not grow.
 * Requests go over raw HTTP (not the typed client, which would refuse them locally).
 */

const image = buildZfsImage();
const GOOD_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop';
const GOOD = {
  id: 'ok-0',
  env_id: 'ok',
  image: 'box',
  cpu: 1,
  mem: 512,
  disk: 2048,
  ports: [80],
  ssh_keys: [GOOD_KEY],
};

let t: SimAgent;
beforeAll(async () => {
  t = await simAgent();
  await t.api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
});

async function send(method: string, path: string, body?: unknown) {
  const before = t.commands().length;
  const res = await t.fetch(`http://agent.test${path}`, {
    method,
    headers: {
      authorization: `Bearer ${t.key}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, commands: t.commands().slice(before) };
}

const NAMES = [
  'a;reboot',
  'a b',
  '..',
  '../etc',
  'a/b',
  'x'.repeat(49),
  'x'.repeat(5000),
  'vm\u00e9',
  'vm\u{1F41D}',
  'UPPER',
  '-lead',
  'trail-',
  '',
  'global',
  'a\nb',
  '$(id)',
  '`id`',
  'a"b',
];

const create = (overrides: Record<string, unknown>) => ({ ...GOOD, ...overrides });

const BAD_BODIES: Array<[string, unknown]> = [
  ...NAMES.map((n): [string, unknown] => [
    `id ${JSON.stringify(n).slice(0, 30)}`,
    create({ id: n }),
  ]),
  ...NAMES.filter((n) => n !== 'global').map((n): [string, unknown] => [
    `env_id ${JSON.stringify(n).slice(0, 30)}`,
    create({ env_id: n }),
  ]),
  ['image with ..', create({ image: '../box' })],
  ['image with ;', create({ image: 'box;rm' })],
  ['image with space', create({ image: 'b ox' })],
  ['image digest malformed', create({ image: 'sha256:xyz' })],
  ['negative cpu', create({ cpu: -1 })],
  ['zero cpu', create({ cpu: 0 })],
  ['huge cpu', create({ cpu: 1_000_000 })],
  ['fractional cpu', create({ cpu: 1.5 })],
  ['cpu as string', create({ cpu: '2' })],
  ['negative mem', create({ mem: -1024 })],
  ['huge mem', create({ mem: 1e15 })],
  ['negative disk', create({ disk: -5 })],
  ['huge disk', create({ disk: 9e18 })],
  ['port 0', create({ ports: [0] })],
  ['port 70000', create({ ports: [70000] })],
  ['negative port', create({ ports: [-22] })],
  ['duplicate ports', create({ ports: [80, 80] })],
  ['too many ports', create({ ports: Array.from({ length: 33 }, (_, i) => 1000 + i) })],
  ['ssh key garbage', create({ ssh_keys: ['not a key'] })],
  ['ssh private key', create({ ssh_keys: ['-----BEGIN OPENSSH PRIVATE KEY-----'] })],
  ['ssh key with newline', create({ ssh_keys: [`${GOOD_KEY}\nssh-rsa AAAA evil`] })],
  [
    'ssh key with quote',
    create({ ssh_keys: [`${GOOD_KEY.split(' ').slice(0, 2).join(' ')} a"b`] }),
  ],
  ['ssh key wrong type', create({ ssh_keys: ['ssh-dss AAAAB3NzaC1kc3MAAACBAP'] })],
  ['ssh key type mismatch', create({ ssh_keys: [`ssh-rsa ${GOOD_KEY.split(' ')[1]}`] })],
  ['ssh key over-long', create({ ssh_keys: [`ssh-ed25519 ${'A'.repeat(9000)}`] })],
  ['unknown field', create({ zonepath: '/etc' })],
  ['deny_outgoing not boolean', create({ deny_outgoing: 'yes' })],
  ['not json', '{"id": "a-0",'],
  ['array body', [GOOD]],
];

describe('hostile input is refused with 400 and runs no host command', () => {
  it.each(BAD_BODIES)('POST /api/vms: %s', async (_name, body) => {
    const res = await send('POST', '/api/vms', body);
    expect(res.status, res.text).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'validation' });
    expect(res.commands).toEqual([]);
  });

  const BAD_PATHS = [
    'a;b',
    '..',
    '%2E%2E',
    'a%2Fb',
    'a%20b',
    'UPPER',
    'x'.repeat(60),
    'vm%C3%A9',
    '%24(id)',
  ];
  it.each(BAD_PATHS)('VM routes with id %s', async (id) => {
    for (const [method, suffix] of [
      ['GET', ''],
      ['DELETE', ''],
      ['POST', '/stop'],
      ['POST', '/start'],
      ['POST', '/restart'],
    ] as const) {
      const res = await send(method, `/api/vms/${id}${suffix}`);
      // `..` segments are resolved by URL parsing before routing: no route, 404.
      const expected = id === '..' || id === '%2E%2E' ? [404] : [400];
      expect(expected, `${method} ${id}${suffix}: ${res.text}`).toContain(res.status);
      expect(res.commands).toEqual([]);
    }
  });

  it.each([
    ['name=../x', 'traversal in name'],
    ['name=a%3Bb', 'semicolon in name'],
    ['name=ok&format=tar', 'unknown format'],
    ['name=ok&digest=sha256:zz', 'malformed digest'],
    ['', 'missing name'],
  ])('POST /api/images?%s (%s)', async (query) => {
    const before = t.commands().length;
    const res = await t.fetch(`http://agent.test/api/images?${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/octet-stream' },
      body: 'junk',
    });
    expect(res.status).toBe(400);
    expect(t.commands().slice(before)).toEqual([]);
  });

  it('DELETE /api/images with a malformed digest', async () => {
    const res = await send('DELETE', '/api/images/sha256:..%2F..');
    expect(res.status).toBe(400);
    expect(res.commands).toEqual([]);
  });

  it('POST /api/images/pull with a malformed digest', async () => {
    const res = await send('POST', '/api/images/pull', { digest: 'sha256:;rm -rf /' });
    expect(res.status).toBe(400);
    expect(res.commands).toEqual([]);
  });

  it('an image that is not on the host (and no controller to pull from) is a 400 before any host command', async () => {
    const res = await send('POST', '/api/vms', create({ image: 'nosuchimage' }));
    expect(res.status).toBe(400);
    expect(res.commands).toEqual([]);
  });

  it('an uploaded image whose content does not match the declared digest is refused and not imported', async () => {
    const before = t.commands().length;
    const res = await t.fetch(
      `http://agent.test/api/images?name=fake&digest=sha256:${'0'.repeat(64)}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/octet-stream' },
        body: image.stream,
      },
    );
    expect(res.status).toBe(400);
    expect(t.commands().slice(before)).toEqual([]);
  });

  it('the good request is accepted (the cases above differ from it in one field)', async () => {
    const res = await send('POST', '/api/vms', GOOD);
    expect(res.status, res.text).toBe(202);
    await t.settle();
  });
});
