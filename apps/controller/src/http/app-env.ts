import type { NodeIncoming } from '@apiary/server-kit';
import type { Principal } from '../services/auth/principal.js';

/** Hono context variables set by the middleware chain. */
export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal | undefined;
  };
  Bindings: {
    /** Set by @hono/node-server: the Node request (remote address for the localhost bypass). */
    incoming?: Partial<NodeIncoming>;
    /** Set by @hono/node-server: the Node response (an event stream drops a lagging client). */
    outgoing?: { destroy(): void };
  };
}
