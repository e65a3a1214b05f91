import type { Env, Vm } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { envView, envViewColumns, vmView } from '../../src/services/envs/env-view.js';
import { readVmsJson } from '../../src/services/envs/env-vms-json.js';
import { createHarness, type Harness, json } from '../helpers/harness.js';
import { hostRow } from '../helpers/placement-fixtures.js';

/*
 * An environment's VMs reach its view as one JSON array the database builds (env-vms-json.ts),
 * not through drizzle's row mapping. Every column must come back as drizzle reads it (booleans,
 * JSON columns, large integers, nulls) on both engines, and each VM in the view must be the
 * view `GET /v1/vms/{id}` gives of it, host facts included.
 */

let h: Harness;
afterEach(async () => h?.close());

async function addHost(id: string, orgId: string, liveness: 'ready' | 'down', now: number) {
  await h.core.ctx.db.insert(h.core.ctx.t.hosts).values({ ...hostRow(orgId, id, now), liveness });
}

/** An environment of three VMs: every optional column set, none set, and one on a down host. */
async function addEnv(): Promise<string> {
  const { ctx } = h.core;
  const t = ctx.t;
  const orgId = (await ctx.db.select().from(t.meta)).find((m) => m.key === 'default_org_id')
    ?.value as string;
  const now = ctx.clock.now();
  await addHost('host_viewup', orgId, 'ready', now);
  await addHost('host_viewdown', orgId, 'down', now);
  const envId = 'env_view0001';
  await ctx.db.insert(t.envs).values({
    id: envId,
    name: 'viewed',
    orgId,
    state: 'active',
    sshKeys: ['ssh-ed25519 AAAA test'],
    lifetime: 3600,
    onFailure: 'keep',
    createdAt: now,
    expiresAt: now + 3_600_000,
    updatedAt: now,
  });
  const base = {
    envId,
    orgId,
    image: 'alpine-cloud',
    engine: 'bhyve',
    cpu: 2,
    mem: 2048,
    disk: 20_000,
    ports: [22, 80],
    denyOutgoing: false,
    state: 'running',
    portMap: { '22': 40022 },
    createdAt: now,
    updatedAt: now + 1,
  };
  await ctx.db.insert(t.vms).values([
    {
      ...base,
      id: `${envId}-0`,
      name: 'viewed-0',
      idx: 0,
      hostId: 'host_viewup',
      imageDigest: `sha256:${'a'.repeat(64)}`,
      bootIso: true,
      denyOutgoing: true,
      ip: '10.0.0.5',
      errorCode: 'host_command_failed',
      errorMsg: 'it said "no"',
      generation: 2 ** 40 + 7,
      disks: [{ n: 1, size: 1024, used: null }],
      cdrom: `sha256:${'b'.repeat(64)}`,
      pendingChanges: { cpu: 4, nested: { on: true } },
      reserved: true,
      sent: true,
      networks: ['nat', 'private'],
      privateIp: '192.168.7.2',
      nics: [{ network: 'nat', ip: '10.0.0.5' }],
      loginUser: 'alpine',
      recipe: 'web',
      recipeVersion: 3,
      recipeState: 'failed',
      recipeTranscript: 'line 1\nline 2 ✓',
    },
    // Written out of order: the view orders by index.
    { ...base, id: `${envId}-2`, name: 'viewed-2', idx: 2, hostId: 'host_viewdown' },
    { ...base, id: `${envId}-1`, name: 'viewed-1', idx: 1, hostId: null, state: 'pending' },
  ]);
  return envId;
}

describe('environment views', () => {
  it('read every VM column from the JSON array as drizzle reads it from the row', async () => {
    h = await createHarness();
    const envId = await addEnv();
    const { ctx } = h.core;
    const { envs, vms } = ctx.t;
    const [row] = await ctx.db.select(envViewColumns(ctx)).from(envs).where(eq(envs.id, envId));
    const read = readVmsJson(ctx, row?.vms).sort((a, b) => a.vm.idx - b.vm.idx);
    const mapped = await ctx.db.select().from(vms).where(eq(vms.envId, envId)).orderBy(vms.idx);
    expect(read.map((r) => r.vm)).toStrictEqual(mapped);
    expect(read.map((r) => [r.liveness, r.publicAddr])).toEqual([
      ['ready', 'host_viewup.public.test'],
      [null, null],
      ['down', 'host_viewdown.public.test'],
    ]);
  });

  it("show each VM as the VM's own view does, in the list and alone", async () => {
    h = await createHarness();
    const envId = await addEnv();
    const { ctx } = h.core;
    const alone = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const { operation_id: _, ...view } = await vmView(ctx, `${envId}-${i}`);
        return view as Vm;
      }),
    );
    expect(alone.map((v) => v.state)).toEqual(['running', 'pending', 'unknown']);
    expect(alone[0]?.host_addr).toBe('host_viewup.public.test');
    expect((await envView(ctx, envId)).vms).toStrictEqual(alone);
    const list = await json<{ items: Env[] }>(await h.req('GET', '/v1/envs?limit=100'));
    const listed = list.items.find((e) => e.id === 'viewed');
    expect(listed?.vms).toEqual(alone);
    expect(await json<Env>(await h.req('GET', '/v1/envs/viewed'))).toEqual(listed);
  });
});
