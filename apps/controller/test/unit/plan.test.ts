import { describe, expect, it } from 'vitest';
import {
  type Candidate,
  fits,
  hostRefusals,
  planPlacement,
  type VmDemand,
} from '../../src/services/placement/plan.js';

const host = (
  id: string,
  free: Partial<Candidate['free']> = {},
  more: Partial<Candidate> = {},
): Candidate => ({
  id,
  hostname: id,
  liveness: 'ready',
  policy: 'eligible',
  orgId: 'org_a',
  engines: ['bhyve'],
  total: { cpu: 8, mem: 16384, disk: 100_000 },
  free: { cpu: 8, mem: 16384, disk: 100_000, ...free },
  images: new Set(),
  ...more,
});
const vm = (d: Partial<VmDemand> = {}): VmDemand => ({
  cpu: 2,
  mem: 2048,
  disk: 10_000,
  engine: 'bhyve',
  digest: 'sha256:x',
  ...d,
});

describe('planPlacement', () => {
  it('spreads over the emptiest hosts and packs onto the fullest with binpack', () => {
    const hosts = [host('a', { mem: 4096, cpu: 4 }), host('b'), host('c', { mem: 8192 })];
    const spread = planPlacement(hosts, [vm(), vm()], 'org_a', 'spread');
    // The emptiest host first, then another host for the second VM of the same request.
    expect(spread).toEqual({ ok: true, hostIds: ['b', 'c'] });
    const three = planPlacement(
      hosts,
      [vm({ mem: 6000 }), vm({ mem: 6000 }), vm({ mem: 6000 })],
      'org_a',
      'spread',
    );
    expect(three.ok && new Set(three.hostIds).size).toBe(2);
    expect(planPlacement(hosts, [vm()], 'org_a', 'binpack')).toEqual({ ok: true, hostIds: ['a'] });
  });

  it('puts the VMs of one environment on different hosts with spread, even if one holds the image', () => {
    const hosts = [host('a'), host('b'), host('c', {}, { images: new Set(['sha256:x']) })];
    const plan = planPlacement(hosts, [vm(), vm(), vm()], 'org_a', 'spread');
    expect(plan.ok && [...plan.hostIds].sort()).toEqual(['a', 'b', 'c']);
  });

  it('only considers hosts offering every network a VM joins, and says which one is missing', () => {
    const hosts = [
      host('a', {}, { networks: ['nat'] }),
      host('b', { mem: 4096 }, { networks: ['nat', 'lan'] }),
    ];
    expect(planPlacement(hosts, [vm({ networks: ['nat', 'lan'] })], 'org_a', 'spread')).toEqual({
      ok: true,
      hostIds: ['b'],
    });
    const refused = planPlacement(hosts, [vm({ networks: ['lan', 'dmz'] })], 'org_a', 'spread');
    expect(refused.ok === false && refused.refusals.map((r) => r.reasons)).toEqual([
      ['host a has no network lan', 'host a has no network dmz'],
      ['host b has no network dmz'],
    ]);
    // A host that reports no networks (an older agent) offers nat.
    expect(planPlacement([host('c')], [vm({ networks: ['nat'] })], 'org_a', 'spread').ok).toBe(
      true,
    );
  });

  it('prefers a host that already holds the image', () => {
    const hosts = [host('a'), host('b', { mem: 4096 }, { images: new Set(['sha256:x']) })];
    expect(planPlacement(hosts, [vm()], 'org_a', 'spread')).toEqual({ ok: true, hostIds: ['b'] });
  });

  it('never puts more on a host than it has free, counting the request itself', () => {
    const hosts = [host('a', { cpu: 4 }), host('b', { cpu: 2 })];
    const plan = planPlacement(hosts, [vm(), vm(), vm()], 'org_a', 'spread');
    expect(plan.ok).toBe(true);
    if (plan.ok) {
      expect(plan.hostIds.filter((h) => h === 'a')).toHaveLength(2);
      expect(plan.hostIds.filter((h) => h === 'b')).toHaveLength(1);
    }
    const four = planPlacement(hosts, [vm(), vm(), vm(), vm()], 'org_a', 'spread');
    expect(four.ok).toBe(false);
  });

  it('says per host why it refused', () => {
    const hosts = [
      host('suspect', {}, { liveness: 'suspect' }),
      host('draining', {}, { policy: 'draining' }),
      host('other-org', {}, { orgId: 'org_b' }),
      host('small', { mem: 1024 }),
      host('docker-only', {}, { engines: ['docker'] }),
    ];
    const plan = planPlacement(hosts, [vm()], 'org_a', 'spread');
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    const reasons = Object.fromEntries(plan.refusals.map((r) => [r.host_id, r.reasons.join('; ')]));
    expect(reasons.suspect).toMatch(/host is suspect/);
    expect(reasons.draining).toMatch(/host is draining/);
    expect(reasons['other-org']).toMatch(/assigned to organization org_b/);
    expect(reasons.small).toMatch(/not enough mem: needs 2048 MiB memory, 1024 free/);
    expect(reasons['docker-only']).toMatch(/does not offer engine bhyve \(offers docker\)/);
  });

  it('mentions the VMs of the same request when they used up a host', () => {
    const plan = planPlacement([host('a', { cpu: 3 })], [vm(), vm()], 'org_a', 'spread');
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.refusals[0]?.reasons[0]).toMatch(/1 free after 1 VM of this request/);
  });

  it('gives a tie to the host whose CPU is less busy, whichever comes first', () => {
    for (const strategy of ['spread', 'binpack'] as const) {
      const busy = host('busy', {}, { cpuPercent: 80 });
      const idle = host('idle', {}, { cpuPercent: 10 });
      expect(planPlacement([busy, idle], [vm()], 'org_a', strategy)).toEqual({
        ok: true,
        hostIds: ['idle'],
      });
      expect(planPlacement([idle, busy], [vm()], 'org_a', strategy)).toEqual({
        ok: true,
        hostIds: ['idle'],
      });
    }
  });

  it('lets the score decide before CPU use, and a host without figures keeps its turn', () => {
    // More room wins under spread even on a busier host.
    const roomy = host('roomy', {}, { cpuPercent: 90 });
    const tight = host('tight', { mem: 8192 }, { cpuPercent: 5 });
    expect(planPlacement([tight, roomy], [vm()], 'org_a', 'spread')).toEqual({
      ok: true,
      hostIds: ['roomy'],
    });
    const unknown = host('unknown', {}, { cpuPercent: null });
    const known = host('known', {}, { cpuPercent: 1 });
    expect(planPlacement([unknown, known], [vm()], 'org_a', 'spread')).toEqual({
      ok: true,
      hostIds: ['unknown'],
    });
  });
});

describe('fits', () => {
  it('says yes exactly when hostRefusals has nothing to say, for every kind of refusal', () => {
    const vm: VmDemand = {
      cpu: 2,
      mem: 2048,
      disk: 10_000,
      engine: 'bhyve',
      digest: 'sha256:x',
      networks: ['nat', 'lan'],
    };
    const base: Candidate = {
      id: 'h1',
      hostname: 'hv1',
      liveness: 'ready',
      policy: 'eligible',
      orgId: 'org_a',
      engines: ['bhyve'],
      networks: ['nat', 'lan'],
      total: { cpu: 8, mem: 8192, disk: 100_000 },
      free: { cpu: 8, mem: 8192, disk: 100_000 },
      images: new Set(),
    };
    const variants: Array<Partial<Candidate>> = [
      {},
      { liveness: 'suspect' },
      { policy: 'draining' },
      { certificateChanged: true },
      { orgId: 'org_b' },
      { orgId: null },
      { engines: ['kvm'] },
      { networks: ['nat'] },
      { networks: undefined },
      { free: { cpu: 1, mem: 8192, disk: 100_000 } },
      { free: { cpu: 8, mem: 2047, disk: 100_000 } },
      { free: { cpu: 8, mem: 8192, disk: 9_999 } },
      { free: { cpu: 2, mem: 2048, disk: 10_000 } },
    ];
    for (const v of variants) {
      const c = { ...base, ...v };
      for (const demand of [vm, { ...vm, networks: undefined }]) {
        expect(fits(c, demand, 'org_a'), JSON.stringify(v)).toBe(
          hostRefusals(c, demand, 'org_a', 0).length === 0,
        );
      }
    }
  });
});
