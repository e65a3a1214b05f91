import { PullBoxReq, type Registry } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { checkForm } from '../../lib/form-errors.js';
import { useApp } from '../../state/app-context.js';
import { useFormSubmit } from '../../state/use-form-submit.js';
import { describedBy, Field } from '../../ui/field.js';
import { FormDialog } from '../../ui/form-dialog.js';
import { ControllerWork } from './controller-work.js';
import { useIntakeOperation } from './use-intake-operation.js';

const FIELDS = ['registry', 'box', 'version'] as const;

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
  const [registry, setRegistry] = useState(initial?.registry ?? registries[0]?.id ?? '');
  const [box, setBox] = useState(initial?.box ?? '');
  const [version, setVersion] = useState(initial?.version ?? '');
  // The controller answers 202: the dialog then follows the pull's operation until it settles.
  const intake = useIntakeOperation(onClose);
  const { errors, busy, submit } = useFormSubmit({
    fields: FIELDS,
    fallback: 'box',
    check: () =>
      checkForm(PullBoxReq, { registry, box, ...(version ? { version } : {}) }, FIELDS, 'box'),
    send: (body) => api.pullBox({ body }),
    errorTitle: (body) => `Could not pull ${body.box}`,
    invalidate: ['images', 'status'],
    onDone: (accepted) => intake.follow(accepted.operation),
  });

  return (
    <FormDialog
      title="Pull a Vagrant box"
      testId="pull-box-dialog"
      submitLabel="Pull"
      busy={busy || intake.running}
      onSubmit={submit}
      onClose={onClose}
    >
      <Field
        id="pull-registry"
        label="Registry"
        hint="One of yours, or a registry URL."
        error={errors.registry}
      >
        <input
          {...describedBy('pull-registry', errors.registry)}
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
      <Field id="pull-box" label="Box" error={errors.box ?? intake.failed} hint="ORG/BOX">
        <input
          {...describedBy('pull-box', errors.box)}
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
        error={errors.version}
      >
        <input
          {...describedBy('pull-version', errors.version)}
          value={version}
          onInput={(e) => setVersion(e.currentTarget.value)}
        />
      </Field>
      {busy || intake.running ? (
        <ControllerWork
          what="The controller is pulling the box"
          intake={intake.operation?.intake}
        />
      ) : null}
    </FormDialog>
  );
}
