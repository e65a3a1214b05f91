import { PullBoxReq, type Registry } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { Button } from '../../ui/button.js';
import { Dialog } from '../../ui/dialog.js';
import { describedBy, Field } from '../../ui/field.js';
import { ControllerWork } from './controller-work.js';
import { useIntakeOperation } from './use-intake-operation.js';

/** Pulls a Vagrant box from one of the organization's registries (or a registry URL). */
export function PullBoxDialog({
  registries,
  initial,
  onClose,
}: {
  registries: Registry[];
  initial?: { registry?: string; box?: string; version?: string };
  onClose: () => void;
}) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const [registry, setRegistry] = useState(initial?.registry ?? registries[0]?.id ?? '');
  const [box, setBox] = useState(initial?.box ?? '');
  const [version, setVersion] = useState(initial?.version ?? '');
  const [error, setError] = useState<string | undefined>();
  const intake = useIntakeOperation(onClose);

  const submit = async (event: Event) => {
    event.preventDefault();
    const parsed = PullBoxReq.safeParse({ registry, box, ...(version ? { version } : {}) });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return setError(`${issue?.path.join('.') || 'request'}: ${issue?.message}`);
    }
    setError(undefined);
    const accepted = await run('pull', () => api.pullBox({ body: parsed.data }), {
      errorTitle: `Could not pull ${box}`,
      invalidate: ['images', 'status'],
    });
    if (accepted) intake.follow(accepted.operation);
  };

  return (
    <Dialog
      open
      title="Pull a Vagrant box"
      onClose={onClose}
      testId="pull-box-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button
            variant="primary"
            type="submit"
            form="pull-form"
            busy={pending === 'pull' || intake.running}
          >
            Pull
          </Button>
        </>
      }
    >
      <form id="pull-form" class="form" onSubmit={submit}>
        <Field id="pull-registry" label="Registry" hint="One of yours, or a registry URL.">
          <input
            id="pull-registry"
            list="pull-registries"
            value={registries.find((r) => r.id === registry)?.name ?? registry}
            onInput={(e) => {
              const typed = e.currentTarget.value;
              setRegistry(registries.find((r) => r.name === typed)?.id ?? typed);
            }}
            spellcheck={false}
          />
          <datalist id="pull-registries">
            {registries.map((r) => (
              <option key={r.id} value={r.name}>
                {r.url}
              </option>
            ))}
          </datalist>
        </Field>
        <Field id="pull-box" label="Box" error={error ?? intake.failed} hint="ORG/BOX">
          <input
            {...describedBy('pull-box', error)}
            value={box}
            onInput={(e) => setBox(e.currentTarget.value)}
            placeholder="acme/debian-12"
            spellcheck={false}
          />
        </Field>
        <Field
          id="pull-version"
          label="Version"
          optional
          hint="Default: the newest with a bhyve or zone provider."
        >
          <input
            id="pull-version"
            value={version}
            onInput={(e) => setVersion(e.currentTarget.value)}
          />
        </Field>
        {pending === 'pull' || intake.running ? (
          <ControllerWork
            what="The controller is pulling the box"
            intake={intake.operation?.intake}
          />
        ) : null}
      </form>
    </Dialog>
  );
}
