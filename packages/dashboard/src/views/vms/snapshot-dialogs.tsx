import type { Vm, VmSnapshot } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { imageNameFromText } from '../../lib/vm-change-fields.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { useQuery } from '../../state/use-query.js';
import { Button } from '../../ui/button.js';
import { Dialog } from '../../ui/dialog.js';
import { describedBy, Field } from '../../ui/field.js';
import type { VmOperations } from './use-vm-operations.js';

interface SnapshotDialogProps {
  vm: Vm;
  snapshot: VmSnapshot;
  org: string | undefined;
  track: VmOperations['track'];
  onClose: () => void;
}

/** A new VM from a snapshot, in the source's environment or another one. */
export function CloneDialog({ vm, snapshot, org, track, onClose }: SnapshotDialogProps) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const envs = useQuery('envs', (a) => a.listEnvs({ query: { limit: 1000 } }), ['envs']);
  const [env, setEnv] = useState('');
  const others = (envs.data?.items ?? []).filter(
    (e) => e.id !== vm.env_id && (e.state === 'active' || e.state === 'stopped'),
  );
  const submit = async (event: Event) => {
    event.preventDefault();
    const accepted = await run(
      'clone',
      () =>
        api.cloneVmSnapshot({
          params: { id: vm.id, name: snapshot.name },
          query: org ? { org } : undefined,
          body: env ? { env } : {},
        }),
      {
        errorTitle: `Could not clone ${vm.id}@${snapshot.name}`,
        invalidate: ['envs'],
      },
    );
    track(accepted);
    if (accepted) onClose();
  };
  return (
    <Dialog
      open
      title={`Clone ${vm.id}@${snapshot.name}`}
      onClose={onClose}
      testId="clone-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="clone-form" busy={pending === 'clone'}>
            Clone
          </Button>
        </>
      }
    >
      <form id="clone-form" class="form" onSubmit={submit}>
        <p class="muted">
          A new VM with this snapshot's disks and machine, on the same host (a thin clone: it shares
          unchanged blocks with the snapshot, which cannot be deleted while it exists).
        </p>
        <Field id="clone-env" label="Environment">
          <select id="clone-env" value={env} onChange={(e) => setEnv(e.currentTarget.value)}>
            <option value="">{vm.env_id} (the same)</option>
            {others.map((e) => (
              <option key={e.id} value={e.id}>
                {e.id}
              </option>
            ))}
          </select>
        </Field>
      </form>
    </Dialog>
  );
}

/** The snapshot's boot disk as a content-addressed image, usable on every host. */
export function PublishDialog({ vm, snapshot, org, track, onClose }: SnapshotDialogProps) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const [name, setName] = useState(`${vm.id}-${snapshot.name}`.toLowerCase().slice(0, 63));
  const [error, setError] = useState<string | undefined>();
  const submit = async (event: Event) => {
    event.preventDefault();
    const parsed = imageNameFromText(name);
    if (!parsed.ok) return setError(parsed.error);
    setError(undefined);
    const accepted = await run(
      'publish',
      () =>
        api.publishVmSnapshot({
          params: { id: vm.id, name: snapshot.name },
          query: org ? { org } : undefined,
          body: { name: parsed.value },
        }),
      { errorTitle: `Could not publish ${vm.id}@${snapshot.name}`, invalidate: ['images'] },
    );
    track(accepted);
    if (accepted) onClose();
  };
  return (
    <Dialog
      open
      title={`Publish ${vm.id}@${snapshot.name} as an image`}
      onClose={onClose}
      testId="publish-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="publish-form" busy={pending === 'publish'}>
            Publish
          </Button>
        </>
      }
    >
      <form id="publish-form" class="form" onSubmit={submit}>
        <Field id="publish-name" label="Image name" error={error}>
          <input
            {...describedBy('publish-name', error)}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
      </form>
    </Dialog>
  );
}
