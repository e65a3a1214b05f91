import { ApiError } from '../api-error.js';
import { REQUEST_ID_HEADER } from '../api-version.js';
import {
  buildPath,
  type RouteDef,
  type RouteInput,
  type RouteOutput,
} from '../routes/define-route.js';
import {
  ErrorBody,
  errorCodeForStatus,
  summarizeIssues,
  validationIssues,
} from '../schemas/errors.js';
import { sleep } from '../util/sleep.js';

export interface ClientOptions {
  /** `http://controller:9200` (no trailing path). */
  baseUrl: string;
  /** Bearer token: an API key or a session token, or a function returning one per request. */
  token?: string | (() => string | undefined);
  /** Request id to forward, e.g. the id of the request being served (controller -> agent). */
  requestId?: string | (() => string | undefined);
  /** Extra attempts for errors the server marked retryable. Default 2. */
  retries?: number;
  /** Base delay of the exponential backoff, with full jitter. Default 200 ms. */
  retryDelayMs?: number;
  /** Per-attempt timeout. Default 30 s. */
  timeoutMs?: number;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Bearer token for this call only (an agent registering sends its license key). */
  token?: string;
  requestId?: string;
  timeoutMs?: number;
  /** Extra attempts for this call (default: the client's); 0 when a quick answer matters more. */
  retries?: number;
  headers?: Record<string, string>;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/**
 * The fetch-based core of every typed client: builds the request from a route description,
 * forwards the request id, maps failures to `ApiError` and retries only what may succeed later
 * (what the server marked retryable, or a connection refused before anything was sent).
 */
export class HttpClient {
  readonly baseUrl: string;
  private readonly options: ClientOptions;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.options = options;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async call<R extends RouteDef>(
    route: R,
    input: RouteInput<R>,
    options: CallOptions = {},
  ): Promise<RouteOutput<R>> {
    const request = this.prepare(route, input);
    const retries = route.body === 'stream' ? 0 : (options.retries ?? this.options.retries ?? 2);
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.send(route, request, options);
        return await this.readResponse(route, response);
      } catch (error) {
        const apiError = this.toApiError(route, error);
        if (!apiError.retryable || attempt >= retries || options.signal?.aborted) throw apiError;
        const base = this.options.retryDelayMs ?? 200;
        await sleep(Math.random() * base * 2 ** attempt);
      }
    }
  }

  private prepare(route: RouteDef, input: RouteInput<RouteDef>) {
    const anyInput = input as {
      params?: Record<string, unknown>;
      query?: Record<string, unknown>;
      body?: unknown;
      contentLength?: number;
      contentType?: string;
    };
    const url = new URL(this.baseUrl + buildPath(route.path, anyInput.params));
    for (const [key, value] of Object.entries(anyInput.query ?? {})) {
      if (value === undefined || value === null) continue;
      for (const v of Array.isArray(value) ? value : [value])
        url.searchParams.append(key, String(v));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: RequestInit['body'];
    if (route.body === 'stream') {
      body = anyInput.body as RequestInit['body'];
      headers['content-type'] = anyInput.contentType ?? 'application/octet-stream';
      if (anyInput.contentLength !== undefined) {
        headers['content-length'] = String(anyInput.contentLength);
      }
    } else if (route.body) {
      // Validate locally so a caller learns of a bad request without a round trip.
      const parsed = route.body.safeParse(anyInput.body ?? {});
      if (!parsed.success) {
        // The same details a server would send, so callers handle both alike.
        const { issues, omitted } = validationIssues(parsed.error, { at: 'body' });
        throw new ApiError('validation', summarizeIssues(issues, { omitted }), {
          details: issues,
          omittedIssues: omitted,
        });
      }
      body = JSON.stringify(anyInput.body ?? {});
      headers['content-type'] = 'application/json';
    }
    return { url, headers, body };
  }

  private async send(
    route: RouteDef,
    request: { url: URL; headers: Record<string, string>; body: RequestInit['body'] },
    options: CallOptions,
  ): Promise<Response> {
    const headers = { ...request.headers, ...this.options.headers, ...options.headers };
    const token = options.token ?? resolve(this.options.token);
    if (token) headers.authorization = `Bearer ${token}`;
    const requestId = options.requestId ?? resolve(this.options.requestId);
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.options.timeoutMs ?? 30_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const init: RequestInit & { duplex?: 'half' } = {
      method: route.method,
      headers,
      body: request.body,
      signal,
    };
    if (route.body === 'stream') init.duplex = 'half';
    const response = await this.fetchImpl(request.url, init);
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  }

  private async readResponse<R extends RouteDef>(route: R, response: Response) {
    if (route.response === 'stream') return response as RouteOutput<R>;
    if (!route.response || route.method === 'HEAD' || response.status === 204) {
      return undefined as RouteOutput<R>;
    }
    const json: unknown = await response.json().catch(() => undefined);
    const parsed = route.response.safeParse(json);
    if (!parsed.success) {
      throw new ApiError(
        'upstream_failed',
        `unexpected response from ${route.method} ${route.path}: ${parsed.error.issues[0]?.message}`,
        { requestId: response.headers.get(REQUEST_ID_HEADER) ?? undefined },
      );
    }
    return parsed.data as RouteOutput<R>;
  }

  private toApiError(route: RouteDef, error: unknown): ApiError {
    if (error instanceof ApiError) return error;
    const name = (error as { name?: string })?.name;
    if (name === 'TimeoutError') {
      return new ApiError('timeout', `${route.method} ${this.baseUrl}${route.path} timed out`, {
        retryable: IDEMPOTENT.has(route.method),
        cause: error,
      });
    }
    if (name === 'AbortError') {
      return new ApiError('unavailable', 'request aborted', { retryable: false, cause: error });
    }
    const cause = (error as { cause?: NetworkCause })?.cause;
    // Node reports a failed happy-eyeballs connect as an AggregateError without its own code.
    const code = cause?.code ?? cause?.errors?.[0]?.code;
    // A refused connection sent nothing, so even a POST is safe to repeat.
    const refused = code === 'ECONNREFUSED';
    const why = code ?? cause?.message ?? String(error);
    return new ApiError('unavailable', `cannot reach ${this.baseUrl}: ${why}`, {
      retryable: refused || IDEMPOTENT.has(route.method),
      details: { reason: refused ? 'refused' : (code ?? 'network') },
      cause: error,
    });
  }
}

interface NetworkCause {
  code?: string;
  message?: string;
  errors?: Array<{ code?: string }>;
}

async function errorFromResponse(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = ErrorBody.safeParse(json);
  if (parsed.success) return ApiError.fromBody(parsed.data);
  const requestId = response.headers.get(REQUEST_ID_HEADER) ?? undefined;
  const code = errorCodeForStatus(response.status);
  const message =
    (json as { msg?: string; message?: string; error?: string } | undefined)?.msg ??
    `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  return new ApiError(code, message, { requestId });
}

function resolve(value: string | (() => string | undefined) | undefined): string | undefined {
  return typeof value === 'function' ? value() : value;
}
