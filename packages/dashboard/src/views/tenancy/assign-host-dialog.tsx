import type { Organization } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { useOrgName } from '../../state/use-orgs.js';
import { useQuery } from '../../state/use-query.js';
import { Button } from '../../ui/button.js';
import { Dialog } from '../../ui/dialog.js';
import { Field } from '../../ui/field.js';

/**
 * From an organization's row: pick a host to serve it. A host serves one organization at a
 * time, so the list says whom each host serves now.
 */
export function AssignHostDialog({ org, onClose }: { org: Organization; onClose: () => void }) {
  const { api } = useApp();
  const hosts = useQuery('hosts', (a) => a.listHosts({ query: { limit: 1000 } }), ['hosts']);
  const orgName = useOrgName();
  const { run, pending } = useAction();
  const candidates = (hosts.data?.items ?? []).filter((h) => h.org_id !== org.id);
  const [hostId, setHostId] = useState('');
  const chosen = hostId || candidates[0]?.id || '';

  const assign = async () => {
    const host = candidates.find((h) => h.id === chosen);
    if (!host) return;
    const done = await run(
      'assign',
      () => api.updateHost({ params: { id: host.id }, body: { org_id: org.id } }),
      {
        errorTitle: `Could not assign ${host.hostname}`,
        success: `${host.hostname} now serves ${org.name}`,
        invalidate: ['hosts', 'tenancy'],
      },
    );
    if (done) onClose();
  };

  return (
    <Dialog
      open
      title={`Assign a host to ${org.name}`}
      onClose={onClose}
      testId="assign-host-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button
            variant="primary"
            busy={pending === 'assign'}
            disabled={!chosen}
            onClick={() => void assign()}
          >
            Assign host
          </Button>
        </>
      }
    >
      {candidates.length === 0 ? (
        <p class="muted">{hosts.data ? 'Every host already serves it.' : 'Loading hosts…'}</p>
      ) : (
        <div class="form">
          <Field
            id="assign-host"
            label="Host"
            hint="Only this organization's environments are placed on it from now on."
          >
            <select
              id="assign-host"
              value={chosen}
              onChange={(e) => setHostId(e.currentTarget.value)}
            >
              {candidates.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.hostname} ({orgName(h.org_id)})
                </option>
              ))}
            </select>
          </Field>
        </div>
      )}
    </Dialog>
  );
}
