import { formatBytes, type MigrationProgress, type VmOperation } from '@apiary/protocol';
import { formatDateTime } from '../../lib/format.js';
import { onLinkClick } from '../../lib/router.js';
import { hrefFor } from '../../lib/routes.js';
import { Panel } from '../../ui/page.js';
import { StateChip } from '../../ui/state-chip.js';
import { operationWarning } from './operation-warning.js';

/** A VM's changes, newest first, with the step each is at and why one failed. */
export function VmOperationsPanel({
  operations,
  org,
}: {
  operations: VmOperation[];
  org: string | undefined;
}) {
  const vmLink = (id: string) => {
    const href = hrefFor({ name: 'vm', id, org });
    return (
      <a class="mono" href={href} onClick={(e) => onLinkClick(e, href)} data-testid="result-vm">
        VM {id}
      </a>
    );
  };
  return (
    <Panel title="Operations" flush testId="vm-operations">
      {operations.length === 0 ? (
        <p class="muted panel-note">No changes yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Change</th>
                <th>State</th>
                <th>Step</th>
                <th>Started</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {operations.map((o) => (
                <tr
                  key={o.id}
                  data-testid="operation-row"
                  data-operation-kind={o.kind}
                  data-operation-state={o.state}
                >
                  <td>
                    <div class="strong">{o.kind.replace('_', ' ')}</div>
                    <div class="muted small mono">{o.id}</div>
                  </td>
                  <td>
                    <StateChip state={o.state} />
                  </td>
                  <td class="mono">
                    {o.step ?? '—'}
                    {o.progress && o.state === 'running' ? <CopyProgress {...o.progress} /> : null}
                    <OperationWarning text={operationWarning(o)} />
                  </td>
                  <td class="nowrap">{formatDateTime(o.created_at)}</td>
                  <td>
                    {o.error ? (
                      <span class="cell-error">{o.error.msg}</span>
                    ) : o.result?.vm_id ? (
                      vmLink(o.result.vm_id)
                    ) : o.result?.to_host ? (
                      <span class="mono" data-testid="result-moved">
                        moved to {o.result.to_host}, {o.result.downtime_ms ?? 0} ms down
                      </span>
                    ) : o.result?.image ? (
                      <span class="mono">image {o.result.image}</span>
                    ) : (
                      <span class="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function OperationWarning({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <div class="small text-yellow" data-testid="operation-warning">
      {text}
    </div>
  );
}

/** A migration's copy: bytes sent of the estimated total. */
function CopyProgress({ bytes_sent, bytes_total }: MigrationProgress) {
  const percent = bytes_total > 0 ? Math.min(100, Math.floor((bytes_sent / bytes_total) * 100)) : 0;
  return (
    <div class="small" data-testid="migration-progress" data-percent={percent}>
      <progress max={100} value={percent} aria-label="disks copied" /> {percent}% ·{' '}
      {formatBytes(bytes_sent)} of {formatBytes(bytes_total)}
    </div>
  );
}
