/**
 * The wire API version spoken between controller, agents and clients.
 *
 * Bump MAJOR only for a breaking change of any schema in this package. A controller talks to
 * agents of the same major version; `isCompatibleApiVersion` is the single place that decides.
 */
export const API_VERSION = '1.0';

export function isCompatibleApiVersion(remote: string, local: string = API_VERSION): boolean {
  const major = (v: string) => v.split('.')[0];
  return /^\d+\.\d+$/.test(remote) && major(remote) === major(local);
}

/** Header carrying the request id from controller to agent and back in every response. */
export const REQUEST_ID_HEADER = 'x-request-id';
