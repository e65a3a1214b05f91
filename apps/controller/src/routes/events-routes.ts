import { controllerRoutes as r } from '@apiary/protocol';
import { streamSSE } from 'hono/streaming';
import { type EventStreams, MAX_QUEUED_EVENTS, type OpenStream } from '../http/event-streams.js';
import type { ControllerEvent } from '../lib/event-bus.js';
import { canSeeOrg } from '../services/auth/principal.js';
import type { RouteDeps } from './route-deps.js';

const KEEPALIVE_MS = 15_000;

/**
 * `GET /v1/events`: server-sent events for the dashboard, scoped to the caller's organization
 * (super-admins see everything, including fleet-level events with no organization). A stream
 * ends when its caller's credential is revoked (checked with the consoles) and when its client
 * falls `MAX_QUEUED_EVENTS` behind; clients reconnect and re-fetch.
 */
export function registerEventRoutes({ ctx, router, bind }: RouteDeps, streams: EventStreams) {
  bind(router, r.events, ({ c, principal }) => {
    let closed = false;
    let wake: (() => void) | undefined;
    let abort: (() => void) | undefined;
    const open: OpenStream = {
      principal,
      drop(reason) {
        if (closed) return;
        closed = true;
        ctx.log.info(
          { reason, user_id: principal.userId, api_key_id: principal.apiKeyId },
          'event stream dropped',
        );
        // A write may be stuck on a client that does not read: cut the stream and its socket.
        abort?.();
        c.env?.outgoing?.destroy();
        wake?.();
      },
    };
    const release = streams.admit(open);
    const queue: ControllerEvent[] = [];
    const unsubscribe = ctx.events.subscribe((event) => {
      if (closed || !canSeeOrg(principal, event.orgId)) return;
      if (queue.length >= MAX_QUEUED_EVENTS) return open.drop('behind');
      queue.push(event);
      wake?.();
    });
    const onStop = () => open.drop('shutdown');
    ctx.work.signal.addEventListener('abort', onStop);
    const cleanup = () => {
      closed = true;
      unsubscribe();
      release();
      ctx.work.signal.removeEventListener('abort', onStop);
    };
    try {
      return streamSSE(c, async (stream) => {
        abort = () => stream.abort();
        stream.onAbort(() => {
          closed = true;
          wake?.();
        });
        let id = 0;
        try {
          await stream.writeSSE({
            event: 'hello',
            data: JSON.stringify({ role: principal.role, org_id: principal.orgId }),
          });
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
            let timer: NodeJS.Timeout | undefined;
            await new Promise<void>((resolve) => {
              wake = resolve;
              timer = setTimeout(resolve, KEEPALIVE_MS);
            });
            clearTimeout(timer);
            wake = undefined;
            if (queue.length === 0 && !closed) await stream.write(': keepalive\n\n');
          }
        } finally {
          cleanup();
        }
      });
    } catch (error) {
      cleanup();
      throw error;
    }
  });
}
