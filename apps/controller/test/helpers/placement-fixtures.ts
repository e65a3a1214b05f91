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
