/** Agent release version, reported by `GET /api/info`. */
export const AGENT_VERSION = '0.1.0';
