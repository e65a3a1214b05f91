import { ApiError, controllerRoutes as r } from '@apiary/protocol';
import { bindRoute } from '../http/bind-route.js';
import { issueConsoleTicket } from '../services/consoles/console-access.js';
import type { RouteDeps } from './route-deps.js';

export function registerConsoleRoutes({ ctx, router, bind }: RouteDeps) {
  bindRoute(router, r.consoleTicket, bind, ({ principal, params, body, requestId }) =>
    issueConsoleTicket(ctx, principal, params.id, body.kind, requestId),
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
