import { ApiError, controllerRoutes, type RouteDef } from '@apiary/protocol';
import { currentRequestId, isExplicitResult } from '@apiary/server-kit';
import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import type { Ctx } from '../context.js';
import { type AuditActor, actorOf, recordAudit } from '../services/audit/audit-log.js';
import type { Principal } from '../services/auth/principal.js';
import type { AppEnv } from './app-env.js';
import type { HostPrincipal } from './host-auth.js';
import type { Bind } from './route-binding.js';

/*
 * Every state-changing request leaves an audit entry: the binder's handlers are wrapped so the
 * entry is written once the handler answered or failed. What failed before the handler (no
 * credential, bad input) changed nothing and is not recorded. Heartbeats are liveness, not
 * actions: their transitions are recorded by the liveness pass instead.
 */

const operationNames = new Map<RouteDef, string>(
  Object.entries(controllerRoutes).map(([name, route]) => [route as RouteDef, name]),
);

const UNAUDITED = new Set<RouteDef>([controllerRoutes.heartbeat]);

/**
 * A request refused as not found or forbidden keeps no resource id: the id it named may be
 * another organization's, and the trail is readable by everyone in the caller's.
 */
const HIDDEN_ON = new Set(['not_found', 'forbidden']);

/** `/v1/envs/:id/stop` -> `env`; `/v1/internal/hosts/...` -> `host`; `/v1/auth/login` -> `session`. */
function resourceKind(route: RouteDef): string {
  const [first, second] = route.path.replace(/^\/v1\//, '').split('/');
  const segment = first === 'internal' ? second : first;
  const kinds: Record<string, string> = {
    auth: 'session',
    'api-keys': 'api_key',
    'license-keys': 'license_key',
  };
  return kinds[segment ?? ''] ?? (segment ?? 'unknown').replace(/s$/, '');
}

function resourceId(params: unknown, payload: unknown): string | null {
  const p = (params ?? {}) as { id?: unknown; digest?: unknown };
  if (typeof p.id === 'string') return p.id;
  if (typeof p.digest === 'string') return p.digest;
  const made = payload as { id?: unknown; host_id?: unknown } | null;
  if (typeof made?.id === 'string') return made.id;
  if (typeof made?.host_id === 'string') return made.host_id;
  return null;
}

type Caller = Principal | HostPrincipal | undefined;

async function actorFor(ctx: Ctx, route: RouteDef, caller: Caller, body: unknown) {
  if (route.auth === 'user' && caller) return actorOf(ctx, caller as Principal);
  if (route.auth === 'host' && caller && 'hostId' in caller) {
    const { hosts } = ctx.t;
    const row = (
      await ctx.db.select({ name: hosts.hostname }).from(hosts).where(eq(hosts.id, caller.hostId))
    )[0];
    return {
      kind: 'host',
      id: caller.hostId,
      name: row?.name ?? caller.hostId,
    } satisfies AuditActor;
  }
  const named = body as { username?: unknown; hostname?: unknown } | undefined;
  if (route.auth === 'license' && typeof named?.hostname === 'string') {
    return { kind: 'host', id: null, name: named.hostname } satisfies AuditActor;
  }
  // Login names who tries (never the password); anything else public is anonymous.
  const username = named?.username;
  return {
    kind: 'user',
    id: null,
    name: typeof username === 'string' ? username : 'anonymous',
  } satisfies AuditActor;
}

export function auditedBinder(
  ctx: Ctx,
  bind: Bind,
  remoteAddress: (c: Context<AppEnv>) => string | undefined,
): Bind {
  return ((router, route, handler) => {
    if (route.method === 'GET' || route.method === 'HEAD' || UNAUDITED.has(route)) {
      return bind(router, route, handler);
    }
    const action = operationNames.get(route) ?? `${route.method} ${route.path}`;
    return bind(router, route, async (args) => {
      const record = async (
        outcome: 'succeeded' | 'accepted' | 'failed',
        payload: unknown,
        code?: string,
        hideId = false,
      ) => {
        const caller = args.principal as Caller;
        const user = route.auth === 'user' ? (caller as Principal | undefined) : undefined;
        const orgOfPayload = (payload as { org_id?: unknown } | null)?.org_id;
        await recordAudit(ctx, {
          orgId: user?.orgId ?? (typeof orgOfPayload === 'string' ? orgOfPayload : null),
          actor: await actorFor(ctx, route, caller, args.body),
          action,
          resource: {
            kind: resourceKind(route),
            id: hideId ? null : resourceId(args.params, payload),
          },
          outcome,
          errorCode: code ?? null,
          requestId: currentRequestId() ?? null,
          source: remoteAddress(args.c) ?? null,
        });
      };
      try {
        const result = await handler(args);
        // Read the answer as the binder does: a Response, `{ status, body }`, or the payload.
        const explicit = isExplicitResult(result);
        const payload = result instanceof Response ? null : explicit ? result.body : result;
        const status =
          result instanceof Response ? result.status : explicit ? result.status : route.status;
        await record(status === 202 ? 'accepted' : 'succeeded', payload);
        return result;
      } catch (error) {
        const code = error instanceof ApiError ? error.code : 'internal';
        await record('failed', null, code, HIDDEN_ON.has(code));
        throw error;
      }
    });
  }) as Bind;
}
