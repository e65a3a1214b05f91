import type { Host } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { useOrgName, useOrgs } from '../../state/use-orgs.js';
import { Button } from '../../ui/button.js';
import { Dialog } from '../../ui/dialog.js';
import { Field } from '../../ui/field.js';

/** '' in the select: the host serves no organization, so nothing is placed on it. */
const UNASSIGNED = '';

/** From a host's page: choose the organization it serves, or none. */
export function HostOrgDialog({ host, onClose }: { host: Host; onClose: () => void }) {
  const { api } = useApp();
  const orgs = useOrgs();
  const orgName = useOrgName();
  const { run, pending } = useAction();
  const [orgId, setOrgId] = useState(host.org_id ?? UNASSIGNED);

  const save = async () => {
    const target = orgId === UNASSIGNED ? null : orgId;
    const done = await run(
      'assign',
      () => api.updateHost({ params: { id: host.id }, body: { org_id: target } }),
      {
        errorTitle: `Could not assign ${host.hostname}`,
        success: target
          ? `${host.hostname} now serves ${orgName(target)}`
          : `${host.hostname} serves no organization now`,
        invalidate: ['hosts', 'tenancy'],
      },
    );
    if (done) onClose();
  };

  return (
    <Dialog
      open
      title={`Organization of ${host.hostname}`}
      onClose={onClose}
      testId="host-org-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" busy={pending === 'assign'} onClick={() => void save()}>
            Save
          </Button>
        </>
      }
    >
      <div class="form">
        <Field
          id="host-org"
          label="Serves"
          hint="Only its environments are placed on it. A host running VMs keeps its organization."
        >
          <select id="host-org" value={orgId} onChange={(e) => setOrgId(e.currentTarget.value)}>
            <option value={UNASSIGNED}>unassigned (nothing is placed on it)</option>
            {(orgs.data?.items ?? []).map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
    </Dialog>
  );
}
