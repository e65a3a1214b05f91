import { ApiError, controllerRoutes as r } from '@apiary/protocol';
import { issueConsoleTicket } from '../services/consoles/console-access.js';
import type { RouteDeps } from './route-deps.js';

export function registerConsoleRoutes({ ctx, router, bind }: RouteDeps) {
  bind(router, r.consoleTicket, ({ principal, params, body, query }) =>
    issueConsoleTicket(ctx, principal, params.id, body.kind, query.org),
  );
  // The websocket itself is answered on the server's upgrade event (http/console-upgrade.ts);
  // a plain GET reaching the app is someone trying the URL by hand.
  router.get('/console', () => {
    throw new ApiError(
      'validation',
      'this is a websocket endpoint: connect with a websocket client to the url returned by POST /v1/vms/{id}/console',
    );
  });
}
