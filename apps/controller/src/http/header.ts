import type { Context } from 'hono';
import type { AppEnv } from './app-env.js';

/**
 * A request header, read from the Node request when there is one: building the WHATWG Headers
 * object for every heartbeat costs more than answering it.
 */
export function requestHeader(c: Context<AppEnv>, name: string): string | undefined {
  const headers = c.env?.incoming?.headers;
  if (headers) {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  }
  return c.req.header(name);
}
