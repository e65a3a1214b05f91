import {
  type AgentInfo,
  API_VERSION,
  ApiError,
  type ConnectionTestResult,
  isCompatibleApiVersion,
} from '@apiary/protocol';
import { UnresolvedTarget } from '../../agents/agent-target.js';
import type { Ctx } from '../../context.js';

const TEST_TIMEOUT_MS = 5_000;

/** `10.0.0.2:9100` or `http://10.0.0.2:9100/` -> `http://10.0.0.2:9100`. */
export function agentBaseUrl(addr: string): string {
  const url = new URL(/^https?:\/\//.test(addr) ? addr : `http://${addr}`);
  return `${url.protocol}//${url.host}`;
}

/**
 * Calls the agent's `/api/info` with the key and says what happened in words an operator can
 * act on: ok, bad_key, refused, timeout, incompatible_api_version or error.
 */
export async function testAgentConnection(
  ctx: Ctx,
  baseUrl: string,
  key: string | undefined,
): Promise<{ result: ConnectionTestResult; info?: AgentInfo }> {
  let info: AgentInfo;
  try {
    const client = await ctx.agents.forAddr(baseUrl, key, {
      timeoutMs: Math.min(TEST_TIMEOUT_MS, ctx.config.agentTimeoutMs),
    });
    info = await client.info();
  } catch (error) {
    return { result: describeFailure(baseUrl, key, error) };
  }
  if (!isCompatibleApiVersion(info.api_version)) {
    return {
      result: {
        ok: false,
        result: 'incompatible_api_version',
        msg: `agent at ${baseUrl} speaks API ${info.api_version}; this controller speaks ${API_VERSION}`,
        agent_version: info.agent_version,
        api_version: info.api_version,
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
    },
    info,
  };
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
    result.result === 'bad_key' || result.result === 'incompatible_api_version'
      ? 'precondition_failed'
      : result.result === 'timeout'
        ? 'timeout'
        : 'upstream_failed';
  return new ApiError(code, result.msg, { details: result, retryable: false, forClient: true });
}
