import { FetchImageReq, type UploadFormat } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { Button } from '../../ui/button.js';
import { Dialog } from '../../ui/dialog.js';
import { describedBy, Field } from '../../ui/field.js';
import { ControllerWork } from './controller-work.js';
import { useIntakeOperation } from './use-intake-operation.js';

/** Has the controller fetch a cloud image by URL (qcow2 converted to raw there). */
export function FetchDialog({ onClose }: { onClose: () => void }) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const [url, setUrl] = useState('');
  const [name, setName] = useState('');
  const [format, setFormat] = useState<UploadFormat | ''>('');
  const [os, setOs] = useState('');
  const [cloudInit, setCloudInit] = useState(true);
  const [error, setError] = useState<string | undefined>();
  const intake = useIntakeOperation(onClose);

  const submit = async (event: Event) => {
    event.preventDefault();
    const parsed = FetchImageReq.safeParse({
      url,
      name,
      ...(format ? { format } : {}),
      metadata: { cloud_init: cloudInit, ...(os ? { os } : {}) },
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return setError(`${issue?.path.join('.') || 'request'}: ${issue?.message}`);
    }
    setError(undefined);
    const accepted = await run('fetch', () => api.fetchImage({ body: parsed.data }), {
      errorTitle: 'The controller could not fetch the image',
      invalidate: ['images', 'status'],
    });
    if (accepted) intake.follow(accepted.operation);
  };

  return (
    <Dialog
      open
      title="Fetch an image from a URL"
      onClose={onClose}
      testId="fetch-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button
            variant="primary"
            type="submit"
            form="fetch-form"
            busy={pending === 'fetch' || intake.running}
          >
            Fetch
          </Button>
        </>
      }
    >
      <form id="fetch-form" class="form" onSubmit={submit}>
        <Field
          id="fetch-url"
          label="URL"
          error={error ?? intake.failed}
          hint="A distribution's cloud image: qcow2 (converted to raw) or raw."
        >
          <input
            {...describedBy('fetch-url', error)}
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
            placeholder="https://cloud.debian.org/.../debian-12-genericcloud-amd64.qcow2"
            spellcheck={false}
          />
        </Field>
        <Field id="fetch-name" label="Name">
          <input
            id="fetch-name"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            spellcheck={false}
          />
        </Field>
        <Field id="fetch-format" label="Format">
          <select
            id="fetch-format"
            value={format}
            onChange={(e) => setFormat(e.currentTarget.value as UploadFormat | '')}
          >
            <option value="">from the file name</option>
            <option value="qcow2">qcow2</option>
            <option value="raw">raw disk</option>
            <option value="zfs-send">zfs send stream</option>
            <option value="iso">ISO (CD-ROM)</option>
          </select>
        </Field>
        <Field id="fetch-os" label="Operating system" optional>
          <input id="fetch-os" value={os} onInput={(e) => setOs(e.currentTarget.value)} />
        </Field>
        <label class="checkbox">
          <input
            type="checkbox"
            checked={cloudInit}
            onChange={(e) => setCloudInit(e.currentTarget.checked)}
          />{' '}
          The guest runs cloud-init
        </label>
        {pending === 'fetch' || intake.running ? (
          <ControllerWork
            what="The controller is fetching the image"
            intake={intake.operation?.intake}
          />
        ) : null}
      </form>
    </Dialog>
  );
}
