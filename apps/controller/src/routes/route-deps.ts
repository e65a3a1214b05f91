import type { Context, Hono } from 'hono';
import type { Ctx } from '../context.js';
import type { AppEnv } from '../http/app-env.js';
import type { Bind } from '../http/route-binding.js';

export interface RouteDeps {
  ctx: Ctx;
  router: Hono<AppEnv>;
  bind: Bind;
  /** Runs a drain pass now (after a drain starts) instead of waiting for the next tick. */
  kickDrains: () => void;
  /** The TCP peer's address of a request (login throttling, the localhost bypass). */
  remoteAddress: (c: Context<AppEnv>) => string | undefined;
}
