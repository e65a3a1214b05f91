import type { Logger } from '../lib/logger.js';
import type { Principal } from '../services/auth/principal.js';
import type { NodeIncoming } from './read-body.js';

/** Hono context variables set by the middleware chain. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    principal: Principal | undefined;
  };
  Bindings: {
    /** Set by @hono/node-server: the Node request (remote address for the localhost bypass). */
    incoming?: { socket?: { remoteAddress?: string } } & Partial<NodeIncoming>;
  };
}
