/**
 * Why a console websocket was closed, as close codes in the 4000-4999 application range: 4000 +
 * the HTTP status of the same refusal, so a reader who knows HTTP knows these. Used by the
 * controller, the agent, the CLI and the dashboard; never write the numbers anywhere else.
 */
export const CloseCode = {
  /** The caller's credential was revoked, expired or never valid. */
  unauthenticated: 4401,
  /** The VM (or its console) does not exist. */
  notFound: 4404,
  /** The VM is not in a state with a console, or another client holds the serial console. */
  conflict: 4409,
  /** The host refused the console or broke the connection. */
  upstreamFailed: 4502,
  /** The host is down or unreachable, or the controller cannot speak to it. */
  unavailable: 4503,
  /** The host did not answer in time. */
  timeout: 4504,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** The standard websocket close codes we use (RFC 6455 section 7.4.1). */
export const StandardClose = {
  normal: 1000,
  /** The server is shutting down. */
  goingAway: 1001,
  /** Reported (never sent) when a connection dropped without a close frame. */
  abnormal: 1006,
  internalError: 1011,
} as const;
