import { controllerRoutes, type RouteDef } from '@apiary/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, sshKey } from '../helpers/harness.js';
import { createTwoTenants, type Tenant } from '../helpers/two-orgs.js';

/*
 * Every route a user can call, walked as each organization's admin and member, with their own
 * identifiers, the other organization's, and made-up ones: no answer may contain anything that
 * names the other organization's things (its id and name, users, hosts, images, environments,
 * keys, and the internal ids of its environments and VMs), and an answer about the other's
 * identifier must be the answer about one that does not exist. Routes added later are walked
 * too: a route this file does not know how to call fails the walk.
 */

let h: Harness;
let tenants: { alpha: Tenant; bravo: Tenant };
/** Each tenant's VM change operation, by tag. */
const operations = new Map<string, string>();
/** Each tenant's box registry id, by tag. */
const registries = new Map<string, string>();

async function waitForOperation(t: Tenant, id: string) {
  for (let i = 0; i < 200; i++) {
    const op = (await (await h.req('GET', `/v1/operations/${id}`, undefined, t.admin)).json()) as {
      state: string;
    };
    if (op.state === 'succeeded') return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`operation ${id} did not succeed`);
}

beforeAll(async () => {
  h = await createHarness();
  tenants = await createTwoTenants(h);
  // History and progress that name VMs: a drain on each host, then cancelled.
  for (const t of [tenants.alpha, tenants.bravo]) {
    // A VM change operation each (issue 13), before the drain stops their VMs.
    const res = await h.req('POST', `/v1/vms/${t.onlyEnv}-0/snapshots`, { name: 'walk' }, t.admin);
    const { operation } = (await res.json()) as { operation: { id: string } };
    operations.set(t.tag, operation.id);
    await waitForOperation(t, operation.id);
    // A recipe and a secret each (issue 16), named after the organization.
    await h.req(
      'POST',
      '/v1/recipes',
      { name: `walk-recipe-${t.tag}`, steps: [{ sleep: { ms: 1 } }] },
      t.admin,
    );
    await h.req('PUT', `/v1/secrets/walk_secret_${t.tag}`, { value: `v-${t.tag}` }, t.admin);
    // A box registry each (issue 16); nothing listens at its address.
    const reg = await h.req(
      'POST',
      '/v1/registries',
      { name: `walk-registry-${t.tag}`, url: 'http://127.0.0.1:9' },
      t.admin,
    );
    const { id: registryId } = (await reg.json()) as { id: string };
    registries.set(t.tag, registryId);
    t.secrets.push(registryId, `walk-registry-${t.tag}`);
    await h.req('POST', `/v1/hosts/${t.hostId}/drain`, {}, t.admin);
  }
}, 120_000);
afterAll(async () => h?.close());

type Param =
  | 'host'
  | 'env'
  | 'vm'
  | 'digest'
  | 'org'
  | 'user'
  | 'apiKey'
  | 'licenseKey'
  | 'operation'
  | 'recipe'
  | 'secret'
  | 'registry';

/** What `:id` means on each route, by path. */
function paramOf(route: RouteDef): Param | undefined {
  if (!route.path.includes(':')) return undefined;
  const prefixes: Array<[string, Param]> = [
    ['/v1/hosts/', 'host'],
    ['/v1/envs/', 'env'],
    ['/v1/vms/', 'vm'],
    ['/v1/images/', 'digest'],
    ['/v1/orgs/', 'org'],
    ['/v1/users/', 'user'],
    ['/v1/api-keys/', 'apiKey'],
    ['/v1/license-keys/', 'licenseKey'],
    ['/v1/operations/', 'operation'],
    ['/v1/recipes/', 'recipe'],
    ['/v1/secrets/', 'secret'],
    ['/v1/registries/', 'registry'],
  ];
  const found = prefixes.find(([p]) => route.path.startsWith(p));
  if (!found) throw new Error(`the walk does not know ${route.method} ${route.path}`);
  return found[1];
}

function identifier(t: Tenant, p: Param): string {
  return {
    host: t.hostId,
    env: t.onlyEnv,
    vm: `${t.onlyEnv}-0`,
    digest: t.digest,
    org: t.orgId,
    user: t.memberUserId,
    apiKey: t.apiKeyId,
    licenseKey: t.licenseKeyId,
    operation: operations.get(t.tag) ?? '',
    recipe: `walk-recipe-${t.tag}`,
    secret: `walk_secret_${t.tag}`,
    registry: registries.get(t.tag) ?? '',
  }[p];
}

const MISSING: Record<Param, string> = {
  host: 'host_ghost00000001',
  env: 'ghost-only',
  vm: 'ghost-only-0',
  digest: `sha256:${'0'.repeat(64)}`,
  org: 'org_ghost0000000001',
  user: 'user_ghost000000001',
  apiKey: 'key_ghost0000000001',
  licenseKey: 'lic_ghost0000000001',
  operation: 'saga_ghost0000000001',
  recipe: 'ghost-recipe',
  secret: 'ghost_secret',
  registry: 'reg_ghost0000000001',
};

let serial = 0;
/** A body that gets the request past validation (names fresh, so nothing collides). */
function bodyFor(name: string, other: Tenant): unknown {
  const n = ++serial;
  const bodies: Record<string, unknown> = {
    addHost: { addr: other.hostAddr },
    testHost: { addr: other.hostAddr },
    updateHost: { public_addr: '203.0.113.99' },
    drainHost: {},
    createEnv: { id: `walk-${n}`, ssh_keys: [sshKey()], vms: [{ image: 'img-shared' }] },
    extendEnv: { seconds: 60 },
    consoleTicket: { kind: 'serial' },
    createOrg: { name: `Walk ${n}` },
    createUser: { username: `walk-${n}`, password: 'a long password 123', role: 'member' },
    updateUser: { disabled: false },
    createApiKey: { name: `walk-${n}` },
    createLicenseKey: { name: `walk-${n}` },
    updateVm: { cpu: 2 },
    addVmDisk: { size: 1024 },
    attachVmCdrom: { image: 'img-shared' },
    createVmSnapshot: { name: `walk-${n}` },
    cloneVmSnapshot: {},
    publishVmSnapshot: { name: `walk-${n}` },
    createRecipe: { name: `walk-${n}`, steps: [{ sleep: { ms: 1 } }] },
    putRecipe: { steps: [{ sleep: { ms: 1 } }] },
    putSecret: { value: `walk-${n}` },
    runVmRecipe: { recipe: 'illumos-login-hostname' },
    setImageDefaultRecipe: { recipe: null },
  };
  return bodies[name];
}

/** Routes not walked here, and why. */
const ELSEWHERE: Record<string, string> = {
  logout: 'ends the session the walk uses',
  uploadImage: 'a stream body (image upload is the trust branch, tested in images.test.ts)',
  events: 'a stream, walked below',
};

const userRoutes = Object.entries(controllerRoutes).filter(
  ([name, route]) => route.auth === 'user' && !(name in ELSEWHERE),
) as Array<[string, RouteDef]>;

function mustNotContain(text: string, other: Tenant, what: string, allowed: string[] = []) {
  for (const secret of other.secrets) {
    if (allowed.some((a) => a.includes(secret))) continue;
    expect(
      text.includes(secret),
      `${what} names ${other.tag}'s ${secret}: ${text.slice(0, 300)}`,
    ).toBe(false);
  }
}

/** Status and message, with the probed identifier and the request id taken out. */
function comparable(status: number, text: string, probe: string) {
  let msg = text;
  try {
    const body = JSON.parse(text) as { msg?: string; code?: string };
    msg = `${body.code}: ${body.msg}`;
  } catch {}
  return { status, msg: msg.split(probe).join('<id>') };
}

describe.each(['alpha', 'bravo'] as const)('walking every route as %s', (tag) => {
  const roles = ['admin', 'member'] as const;
  const cases = roles.flatMap((role) =>
    userRoutes.map(([name, route]) => [role, name, route] as const),
  );

  it.each(cases)('%s: %s', async (role, name, route) => {
    const self = tenants[tag];
    const other = tenants[tag === 'alpha' ? 'bravo' : 'alpha'];
    const token = self[role];
    const call = async (id?: string) => {
      const path = route.path.replace(/:[a-z]+/, encodeURIComponent(id ?? ''));
      const res = await h.req(route.method, path, bodyFor(name, other), token);
      return { status: res.status, text: await res.text() };
    };
    const param = paramOf(route);
    if (!param) {
      const res = await call();
      // A body may name the other's address (a connection test): that is the caller's input.
      mustNotContain(res.text, other, `${route.method} ${route.path}`, [other.hostAddr]);
      return;
    }
    const theirs = identifier(other, param);
    const probe = await call(theirs);
    mustNotContain(probe.text, other, `${route.method} ${route.path} with theirs`, [theirs]);
    const ghost = await call(MISSING[param]);
    expect(comparable(probe.status, probe.text, theirs), `${route.method} ${route.path}`).toEqual(
      comparable(ghost.status, ghost.text, MISSING[param]),
    );
    if (route.method === 'GET') {
      const own = await call(identifier(self, param));
      mustNotContain(own.text, other, `${route.method} ${route.path} with its own`);
    }
  });

  it('hears nothing of the other organization on the event stream', async () => {
    const self = tenants[tag];
    const other = tenants[tag === 'alpha' ? 'bravo' : 'alpha'];
    const stream = await h.req('GET', '/v1/events', undefined, self.member);
    for (const action of ['stop', 'start']) {
      await h.req('POST', `/v1/envs/${other.onlyEnv}/${action}`, undefined, other.member);
      await h.req('POST', `/v1/envs/shared/${action}`, undefined, other.member);
      await h.idle();
    }
    await h.req('POST', `/v1/hosts/${other.hostId}/undrain`, undefined, other.admin);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const deadline = Date.now() + 500;
    while (Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now())),
      ]);
      if (!chunk || chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    await reader.cancel();
    expect(text).toContain('event: hello');
    mustNotContain(text, other, 'the event stream');
  });
});
