import { type ControllerClient, createControllerClient } from '@apiary/protocol';

export type Api = ControllerClient;

/**
 * The typed controller client from @apiary/protocol, pointed at the origin that served the
 * dashboard. The token is read per request so a new login takes effect at once.
 */
export function createApi(getToken: () => string | undefined, origin = window.location.origin) {
  return createControllerClient({
    baseUrl: origin,
    token: getToken,
    retries: 1,
    timeoutMs: 20_000,
  });
}
