/**
 * Node-side entry of @apiary/dashboard: where the built single-page app lives and how the
 * controller should answer browser requests for it. The browser code itself is in src/ and is
 * built by Vite into dist/.
 */
export { dashboardAssetsDir, isDashboardBuilt } from './assets-dir.js';
export {
  contentTypeFor,
  DASHBOARD_CSP,
  IMMUTABLE_CACHE,
  REVALIDATE_CACHE,
} from './headers.js';
export {
  acceptsHtml,
  type DashboardAsset,
  type DashboardRequest,
  resolveDashboardRequest,
} from './resolve-request.js';
