import { controllerRoutes as r } from '@apiary/protocol';
import { streamSSE } from 'hono/streaming';
import type { ControllerEvent } from '../lib/event-bus.js';
import { canSeeOrg } from '../services/auth/principal.js';
import type { RouteDeps } from './route-deps.js';

const KEEPALIVE_MS = 15_000;

/**
 * `GET /v1/events`: server-sent events for the dashboard, scoped to the caller's organization
 * (super-admins see everything, including fleet-level events with no organization).
 */
export function registerEventRoutes({ ctx, router, bind }: RouteDeps) {
  bind(router, r.events, ({ c, principal }) => {
    return streamSSE(c, async (stream) => {
      const queue: ControllerEvent[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = ctx.events.subscribe((event) => {
        if (!canSeeOrg(principal, event.orgId)) return;
        queue.push(event);
        wake?.();
      });
      let closed = false;
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });
      const onStop = () => {
        closed = true;
        wake?.();
      };
      ctx.work.signal.addEventListener('abort', onStop);
      let id = 0;
      await stream.writeSSE({
        event: 'hello',
        data: JSON.stringify({ role: principal.role, org_id: principal.orgId }),
      });
      try {
        while (!closed) {
          const event = queue.shift();
          if (event) {
            await stream.writeSSE({
              id: String(++id),
              event: event.type,
              data: JSON.stringify(event.data),
            });
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, KEEPALIVE_MS).unref();
          });
          wake = undefined;
          if (queue.length === 0 && !closed) await stream.write(': keepalive\n\n');
        }
      } finally {
        unsubscribe();
        ctx.work.signal.removeEventListener('abort', onStop);
      }
    });
  });
}
