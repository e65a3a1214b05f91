/** Controller release version, reported by `GET /` and in registration responses. */
export const CONTROLLER_VERSION = '0.1.0';
