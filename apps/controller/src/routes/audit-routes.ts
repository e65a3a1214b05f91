import { controllerRoutes as r } from '@apiary/protocol';
import { listAudit } from '../services/audit/audit-log.js';
import type { RouteDeps } from './route-deps.js';

export function registerAuditRoutes({ ctx, router, bind }: RouteDeps) {
  bind(router, r.listAudit, ({ principal, query }) => listAudit(ctx, principal, query));
}
