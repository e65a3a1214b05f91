import type { Drain, Env, Host, Vm } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { createTwoTenants } from '../helpers/two-orgs.js';

/*
 * Names belong to organizations. Two organizations may both have an environment `shared`: one
 * creating it learns nothing of the other's, neither can reach or erase the other's, and their
 * VMs never share an id or a zone name.
 */

let h: Harness;
afterEach(async () => h?.close());

const spec = { ssh_keys: [sshKey()], vms: [{ image: 'img-shared', cpu: 1, mem: 512, disk: 2048 }] };

describe('environment names are per organization', () => {
  it('lets two organizations have `shared`, each seeing only its own', async () => {
    h = await createHarness();
    const { alpha, bravo } = await createTwoTenants(h);
    for (const t of [alpha, bravo]) {
      const env = await json<Env>(await h.req('GET', '/v1/envs/shared', undefined, t.member));
      expect([env.id, env.org_id, env.state]).toEqual(['shared', t.orgId, 'active']);
      expect(env.vms.map((v) => [v.id, v.env_id, v.host_id])).toEqual([
        ['shared-0', 'shared', t.hostId],
      ]);
      const vm = await json<Vm>(await h.req('GET', '/v1/vms/shared-0', undefined, t.member));
      expect(vm.host_id).toBe(t.hostId);
    }
    // Two rows, two zone names, one on each host: nothing collides.
    const { vms } = h.core.ctx.t;
    const rows = await h.core.ctx.db.select().from(vms).where(eq(vms.name, 'shared-0'));
    expect(new Set(rows.map((r) => r.id)).size).toBe(2);
    for (const r of rows) expect(r.id).toMatch(/^shared-[a-z2-7]{8}-0$/);
    expect([...alpha.agent.vms.keys()]).not.toContain(
      rows.find((r) => r.orgId === bravo.orgId)?.id,
    );
  });

  it('answers a duplicate within the organization with 409, and only about its own', async () => {
    h = await createHarness();
    const { alpha } = await createTwoTenants(h);
    const again = await h.req('POST', '/v1/envs', { id: 'shared', ...spec }, alpha.member);
    expect(again.status).toBe(409);
    expect((await json<{ msg: string }>(again)).msg).toBe(
      'environment shared already exists (active)',
    );
    // A name only the other organization uses is free here.
    const free = await h.req('POST', '/v1/envs', { id: 'bravo-only', ...spec }, alpha.member);
    expect(free.status).toBe(202);
  });

  it("never erases another organization's history when a name is reused", async () => {
    h = await createHarness();
    const { alpha, bravo } = await createTwoTenants(h);
    expect((await h.req('DELETE', '/v1/envs/alpha-only', undefined, alpha.member)).status).toBe(
      202,
    );
    await h.idle();
    const created = await h.req('POST', '/v1/envs', { id: 'alpha-only', ...spec }, bravo.member);
    expect(created.status).toBe(202);
    await h.idle();
    const history = await json<Env>(
      await h.req('GET', '/v1/envs/alpha-only', undefined, alpha.member),
    );
    expect([history.state, history.org_id]).toEqual(['deleted', alpha.orgId]);
    const listed = await json<{ items: Env[] }>(
      await h.req('GET', '/v1/envs?state=deleted', undefined, alpha.member),
    );
    expect(listed.items.map((e) => e.id)).toEqual(['alpha-only']);
    const theirs = await json<Env>(
      await h.req('GET', '/v1/envs/alpha-only', undefined, bravo.member),
    );
    expect([theirs.state, theirs.org_id]).toEqual(['active', bravo.orgId]);
  });

  it('lets a super-admin address either with ?org=, and says when a bare name is ambiguous', async () => {
    h = await createHarness();
    const { alpha, bravo } = await createTwoTenants(h);
    const ambiguous = await h.req('GET', '/v1/envs/shared');
    expect(ambiguous.status).toBe(409);
    expect((await json<{ msg: string }>(ambiguous)).msg).toMatch(
      /environment shared exists in 2 organizations .*: name one with \?org=ORG_ID/,
    );
    const a = await json<Env>(await h.req('GET', `/v1/envs/shared?org=${alpha.orgId}`));
    expect(a.org_id).toBe(alpha.orgId);
    const vm = await json<Vm>(await h.req('GET', `/v1/vms/shared-0?org=${bravo.orgId}`));
    expect(vm.host_id).toBe(bravo.hostId);
    // A name in one organization only needs no ?org=.
    expect((await h.req('GET', '/v1/envs/alpha-only')).status).toBe(200);
    // Nobody else may name an organization.
    const other = await h.req('GET', `/v1/envs/shared?org=${alpha.orgId}`, undefined, bravo.admin);
    expect(other.status).toBe(403);
    const stopped = await h.req('POST', `/v1/envs/shared/stop?org=${alpha.orgId}`);
    expect(stopped.status).toBe(202);
    await h.idle();
    const after = await json<Env>(await h.req('GET', '/v1/envs/shared', undefined, bravo.member));
    expect(after.state).toBe('active');
  });
});

describe('drain history', () => {
  it("shows a host's new organization nothing of the VMs its old organization drained", async () => {
    h = await createHarness();
    const { alpha, bravo } = await createTwoTenants(h);
    const drain = await h.req('POST', `/v1/hosts/${alpha.hostId}/drain`, {}, alpha.admin);
    expect(drain.status).toBe(202);
    for (const env of ['shared', 'alpha-only']) {
      await h.req('DELETE', `/v1/envs/${env}`, undefined, alpha.member);
    }
    await h.idle();
    await h.core.drainTick();
    const own = await json<Drain>(
      await h.req('GET', `/v1/hosts/${alpha.hostId}/drain-status`, undefined, alpha.admin),
    );
    expect(own.vms.map((v) => v.id).sort()).toEqual(['alpha-only-0', 'shared-0']);
    const moved = await h.req('PATCH', `/v1/hosts/${alpha.hostId}`, { org_id: bravo.orgId });
    expect(moved.status).toBe(200);
    const status = await h.req(
      'GET',
      `/v1/hosts/${alpha.hostId}/drain-status`,
      undefined,
      bravo.admin,
    );
    const host = await h.req('GET', `/v1/hosts/${alpha.hostId}`, undefined, bravo.admin);
    for (const text of [await status.text(), await host.text()]) {
      expect(text).not.toContain('alpha-only');
      expect(text).not.toContain('shared-0');
      for (const id of alpha.internalIds) expect(text).not.toContain(id);
    }
    expect(
      JSON.parse(
        await (await h.req('GET', `/v1/hosts/${alpha.hostId}`, undefined, bravo.admin)).text(),
      ) as Host,
    ).toMatchObject({ drain: { vms_total: 2, vms: [] } });
  });
});
