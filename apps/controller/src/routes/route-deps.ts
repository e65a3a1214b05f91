import type { Context, Hono } from 'hono';
import type { Ctx } from '../context.js';
import type { AppEnv } from '../http/app-env.js';
import type { Bind } from '../http/route-binding.js';
import type { HostRow } from '../services/hosts/host-view.js';

export interface RouteDeps {
  ctx: Ctx;
  router: Hono<AppEnv>;
  bind: Bind;
  /** Runs a drain pass now (after a drain starts) instead of waiting for the next tick. */
  kickDrains: () => void;
  /** Brings a host's inventory in now (after its networks changed) rather than at the next poll. */
  refreshInventory: (host: HostRow) => void;
  /** The TCP peer's address of a request (login throttling, the localhost bypass). */
  remoteAddress: (c: Context<AppEnv>) => string | undefined;
}
