import type { HealthLease } from '@apiary/protocol';
import { sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';

const PING_TIMEOUT_MS = 2_000;

/** One round trip to the database (either engine), bounded in time. */
export async function pingDatabase(
  ctx: Ctx,
): Promise<{ engine: 'sqlite' | 'postgres'; ok: boolean; latency_ms: number }> {
  const started = performance.now();
  const { meta } = ctx.t;
  let timer: NodeJS.Timeout | undefined;
  const ok = await Promise.race([
    ctx.db
      .select({ one: sql<number>`1` })
      .from(meta)
      .limit(1)
      .then(
        () => true,
        () => false,
      ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  return {
    engine: ctx.engine,
    ok,
    latency_ms: Math.round((performance.now() - started) * 10) / 10,
  };
}

/** The leases this controller holds now, as `/v1/health` shows them. */
export function heldLeases(ctx: Ctx): HealthLease[] {
  return ctx.leases.held(ctx.clock.now()).map((l) => ({
    name: l.name,
    kind: l.kind,
    epoch: l.epoch,
    expires_at: new Date(l.expiresAt).toISOString(),
  }));
}
