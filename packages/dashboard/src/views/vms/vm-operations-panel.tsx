import type { VmOperation } from '@apiary/protocol';
import { formatDateTime } from '../../lib/format.js';
import { onLinkClick } from '../../lib/router.js';
import { hrefFor } from '../../lib/routes.js';
import { Panel } from '../../ui/page.js';
import { StateChip } from '../../ui/state-chip.js';

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
                  <td class="mono">{o.step ?? '—'}</td>
                  <td class="nowrap">{formatDateTime(o.created_at)}</td>
                  <td>
                    {o.error ? (
                      <span class="cell-error">{o.error.msg}</span>
                    ) : o.result?.vm_id ? (
                      vmLink(o.result.vm_id)
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
