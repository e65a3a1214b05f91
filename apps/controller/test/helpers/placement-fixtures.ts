import type { Ctx } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import type { VmDemand } from '../../src/services/placement/plan.js';
import type { Harness } from './harness.js';
import { openAgain } from './test-db.js';

/** The image every demand below asks for. */
export const DIGEST = `sha256:${'cd'.repeat(32)}`;

/** One VM of `cpu` vCPUs (1 GiB, 10 GB) on the bhyve engine. */
export const demand = (cpu: number): VmDemand[] => [
  { cpu, mem: 1024, disk: 10_000, engine: 'bhyve', digest: DIGEST },
];

/** A placement's persist step that writes nothing (the tests look at the reservation only). */
export const nothing = async () => {};

/**
 * A host row written straight into the database, registered, ready and eligible (32 vCPUs,
 * 128 GiB, 4 TB), for tests that seed more hosts than registering agents would allow.
 */
export function hostRow(orgId: string, id: string, now: number) {
  return {
    id,
    hostname: id,
    addr: `http://${id}.test:9100`,
    publicAddr: `${id}.public.test`,
    orgId,
    source: 'registered' as const,
    liveness: 'ready' as const,
    policy: 'eligible' as const,
    engines: ['bhyve'],
    storage: 'zvol' as const,
    agentVersion: '0.1.0',
    apiVersion: '1.0',
    totalCpu: 32,
    totalMem: 131072,
    totalDisk: 4_000_000,
    registeredAt: now,
    updatedAt: now,
  };
}

export async function defaultOrg(ctx: Ctx): Promise<string> {
  const meta = await ctx.db.select().from(ctx.t.meta);
  return meta.find((m) => m.key === 'default_org_id')?.value as string;
}

/**
 * Second controllers on a harness's database, with connections of their own where the engine
 * allows (PostgreSQL); `close` in an afterEach stops the one opened, before the harness closes.
 */
export class SecondControllers {
  private controller: { stop(): Promise<void> } | undefined;
  private database: Database | null = null;

  async open(h: Harness): Promise<Ctx> {
    this.database = await openAgain(h.database);
    const second = await h.anotherController(this.database ? { database: this.database } : {});
    this.controller = second;
    return second.ctx;
  }

  async close(): Promise<void> {
    await this.controller?.stop();
    this.controller = undefined;
    await this.database?.close();
    this.database = null;
  }
}
