import type { ConnectionTestResult } from '@apiary/protocol';
import { Button } from '../../ui/button.js';
import { Icon } from '../../ui/icons.js';

/**
 * What `POST /v1/hosts/test` found: reachable or why not, the agent's version, and the
 * certificate it presented, for the operator to compare with `apiary-agent info` on the host.
 */
export function ConnectionTestPanel({
  result,
  pinned,
  onPin,
}: {
  result: ConnectionTestResult;
  /** Whether the form already names a fingerprint (then it was checked, not just shown). */
  pinned: boolean;
  onPin: (fingerprint: string) => void;
}) {
  return (
    <section
      class={`connection-test ${result.ok ? 'connection-ok' : 'connection-failed'}`}
      data-testid="connection-test"
      data-result={result.result}
      aria-live="polite"
    >
      <header class="connection-test-head">
        <Icon name={result.ok ? 'check' : 'alert'} />
        <strong>{result.ok ? 'Reachable' : TITLES[result.result]}</strong>
      </header>
      {/* The controller's words for an unknown certificate address the CLI; the pin row below
          says the same for this dialog. */}
      {result.result === 'certificate_unknown' ? null : <p class="muted">{result.msg}</p>}
      <dl class="facts">
        {result.agent_version ? (
          <div>
            <dt>Agent version</dt>
            <dd data-testid="test-agent-version">
              {result.agent_version}
              {result.api_version ? ` (API ${result.api_version})` : ''}
            </dd>
          </div>
        ) : null}
        {result.tls_fingerprint ? (
          <div class="fact-wide">
            <dt>{pinned ? 'Certificate (pinned)' : 'Certificate presented'}</dt>
            <dd class="mono" data-testid="test-fingerprint">
              {result.tls_fingerprint}
            </dd>
          </div>
        ) : null}
      </dl>
      {result.result === 'certificate_unknown' && result.tls_fingerprint ? (
        <div class="connection-test-pin">
          <p class="muted">
            Compare it with <span class="mono">apiary-agent info</span> on the host. Pin it only if
            they match.
          </p>
          <Button size="sm" icon="shield" onClick={() => onPin(result.tls_fingerprint ?? '')}>
            It matches: pin it
          </Button>
        </div>
      ) : null}
    </section>
  );
}

const TITLES: Record<ConnectionTestResult['result'], string> = {
  ok: 'Reachable',
  bad_key: 'The agent refused the credential',
  refused: 'Connection refused',
  timeout: 'No answer',
  incompatible_api_version: 'Incompatible agent',
  certificate_unknown: 'Certificate not yet trusted',
  certificate_mismatch: 'Certificate does not match',
  error: 'Connection failed',
};
