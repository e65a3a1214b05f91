import {
  type AgentInfo,
  API_VERSION,
  ApiError,
  type ConnectionTestResult,
  isCompatibleApiVersion,
} from '@apiary/protocol';
import { certificateMismatchIn, isLoopbackHost } from '@apiary/server-kit';
import { UnresolvedTarget } from '../../agents/agent-target.js';
import type { Ctx } from '../../context.js';

const TEST_TIMEOUT_MS = 5_000;

/**
 * `http://10.0.0.2:9100/` -> `http://10.0.0.2:9100`. A bare `10.0.0.2:9100` (seed 003) is
 * `https://`, as agents serve off loopback; a bare loopback address is whichever the agent
 * there speaks (nobody can step between the controller and its own loopback).
 */
export async function agentBaseUrl(ctx: Ctx, addr: string): Promise<string> {
  if (/^https?:\/\//.test(addr)) {
    const url = new URL(addr);
    return `${url.protocol}//${url.host}`;
  }
  const url = new URL(`https://${addr}`);
  // Probing is connecting: only where the target policy lets the controller connect at all.
  if (!isLoopbackHost(url.hostname) || !ctx.config.allowAgentTargets.includes('loopback')) {
    return `https://${url.host}`;
  }
  const tls = await ctx.agents.probeCertificate(`https://${url.host}`, 2_000).then(
    () => true,
    () => false,
  );
  return `${tls ? 'https' : 'http'}://${url.host}`;
}

/**
 * Calls the agent's `/api/info` with the key and says what happened in words an operator can
 * act on: ok, bad_key, refused, timeout, incompatible_api_version, certificate_unknown,
 * certificate_mismatch or error. An `https://` agent is only spoken to when `fingerprint` says
 * which certificate it must present; without one, the test shows the certificate it presents
 * and sends nothing.
 */
export async function testAgentConnection(
  ctx: Ctx,
  baseUrl: string,
  key: string | undefined,
  fingerprint?: string,
): Promise<{ result: ConnectionTestResult; info?: AgentInfo }> {
  const timeoutMs = Math.min(TEST_TIMEOUT_MS, ctx.config.agentTimeoutMs);
  const secure = baseUrl.startsWith('https:');
  if (secure && !fingerprint) return { result: await showCertificate(ctx, baseUrl, timeoutMs) };
  const pinned = secure && fingerprint ? { tls_fingerprint: fingerprint } : {};
  let info: AgentInfo;
  try {
    const client = await ctx.agents.forAddr(baseUrl, key, {
      timeoutMs,
      ...(secure && fingerprint ? { trust: { kind: 'fingerprint', fingerprint } } : {}),
    });
    info = await client.info();
  } catch (error) {
    const mismatch = certificateMismatchIn(error);
    if (mismatch) {
      return {
        result: {
          ok: false,
          result: 'certificate_mismatch',
          msg: `the agent at ${baseUrl} presents certificate ${mismatch.presented ?? '(none)'}, not ${fingerprint}: nothing was sent to it`,
          ...(mismatch.presented ? { tls_fingerprint: mismatch.presented } : {}),
        },
      };
    }
    return { result: { ...describeFailure(baseUrl, key, error), ...pinned } };
  }
  if (!isCompatibleApiVersion(info.api_version)) {
    return {
      result: {
        ok: false,
        result: 'incompatible_api_version',
        msg: `agent at ${baseUrl} speaks API ${info.api_version}; this controller speaks ${API_VERSION}`,
        agent_version: info.agent_version,
        api_version: info.api_version,
        ...pinned,
      },
    };
  }
  return {
    result: {
      ok: true,
      result: 'ok',
      msg: `agent ${info.hostname} (${info.host_id}) answered at ${baseUrl}`,
      agent_version: info.agent_version,
      api_version: info.api_version,
      ...pinned,
    },
    info,
  };
}

/** A handshake only: the certificate an `https://` agent presents, for a person to check. */
async function showCertificate(
  ctx: Ctx,
  baseUrl: string,
  timeoutMs: number,
): Promise<ConnectionTestResult> {
  try {
    const { fingerprint } = await ctx.agents.probeCertificate(baseUrl, timeoutMs);
    return {
      ok: false,
      result: 'certificate_unknown',
      msg:
        `the agent at ${baseUrl} presents certificate ${fingerprint}. Check it against ` +
        '`apiary-agent info` on that host, then pass it as tls_fingerprint ' +
        '(apiary hosts add ADDR --fingerprint ...) to pin it. Nothing was sent to the agent.',
      tls_fingerprint: fingerprint,
    };
  } catch (error) {
    if (error instanceof ApiError || error instanceof UnresolvedTarget) {
      return describeFailure(baseUrl, undefined, error);
    }
    const code = (error as { code?: string }).code;
    const message = `cannot reach ${baseUrl}: ${(error as Error).message}`;
    return describeFailure(
      baseUrl,
      undefined,
      code === 'ETIMEDOUT'
        ? new ApiError('timeout', message)
        : new ApiError('unavailable', message, {
            details: { reason: code === 'ECONNREFUSED' ? 'refused' : 'network' },
          }),
    );
  }
}

function describeFailure(
  baseUrl: string,
  key: string | undefined,
  error: unknown,
): ConnectionTestResult {
  // A refused target is the caller's mistake, not the agent's: it stays an error (403).
  if (error instanceof ApiError && error.code === 'forbidden') throw error;
  if (error instanceof UnresolvedTarget) return { ok: false, result: 'error', msg: error.message };
  const e = error instanceof ApiError ? error : new ApiError('internal', String(error));
  if (e.code === 'unauthenticated' || e.code === 'forbidden') {
    return {
      ok: false,
      result: 'bad_key',
      msg: key
        ? `the agent at ${baseUrl} refused the API key (${e.code})`
        : `the agent at ${baseUrl} requires an API key: pass api_key (an operator key from \`apiary-agent keys create\`) or bootstrap_token`,
    };
  }
  const reason = (e.details as { reason?: string } | undefined)?.reason;
  if (e.code === 'unavailable' && reason === 'refused') {
    return {
      ok: false,
      result: 'refused',
      msg: `connection refused by ${baseUrl}: is the agent running there?`,
    };
  }
  if (e.code === 'timeout') {
    return {
      ok: false,
      result: 'timeout',
      msg: `no answer from ${baseUrl} within ${TEST_TIMEOUT_MS / 1000}s`,
    };
  }
  if (e.code === 'upstream_failed') {
    return {
      ok: false,
      result: 'incompatible_api_version',
      msg: `${baseUrl} does not answer like an Apiary agent: ${e.message}`,
    };
  }
  return { ok: false, result: 'error', msg: `cannot talk to ${baseUrl}: ${e.message}` };
}

/** The error `POST /v1/hosts` answers when the test fails. */
export function connectionTestError(result: ConnectionTestResult): ApiError {
  const code =
    result.result === 'bad_key' ||
    result.result === 'incompatible_api_version' ||
    result.result === 'certificate_unknown' ||
    result.result === 'certificate_mismatch'
      ? 'precondition_failed'
      : result.result === 'timeout'
        ? 'timeout'
        : 'upstream_failed';
  return new ApiError(code, result.msg, { details: result, retryable: false, forClient: true });
}
