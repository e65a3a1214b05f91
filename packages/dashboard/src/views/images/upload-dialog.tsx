import {
  formatBytes,
  ImageName,
  imageFormatFromFile,
  imageNameFromFile,
  type UploadFormat,
} from '@apiary/protocol';
import { useRef, useState } from 'preact/hooks';
import { percent } from '../../lib/format.js';
import { useApp } from '../../state/app-context.js';
import { pushToast, toastError } from '../../state/toasts.js';
import { Button } from '../../ui/button.js';
import { Dialog } from '../../ui/dialog.js';
import { describedBy, Field } from '../../ui/field.js';
import { ProgressBar } from '../../ui/progress.js';
import { type UploadProgress, uploadImage } from './upload.js';

export function UploadDialog({ onClose }: { onClose: () => void }) {
  const { session, cache } = useApp();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [format, setFormat] = useState<UploadFormat>('zfs-send');
  const [error, setError] = useState<string | undefined>();
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const abort = useRef<AbortController | null>(null);

  const pick = (picked: File | undefined) => {
    setFile(picked ?? null);
    if (picked && !name) setName(imageNameFromFile(picked.name));
    if (picked) setFormat(imageFormatFromFile(picked.name));
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const parsed = ImageName.safeParse(name);
    if (!parsed.success) return setError(parsed.error.issues[0]?.message);
    if (!file) return setError(undefined);
    setError(undefined);
    abort.current = new AbortController();
    setProgress({ loaded: 0, total: file.size });
    try {
      const image = await uploadImage({
        file,
        query: { name: parsed.data, format },
        token: session.token,
        onProgress: setProgress,
        signal: abort.current.signal,
      });
      cache.invalidate(['images', 'status']);
      pushToast({ kind: 'success', title: `Uploaded ${image.name}`, message: image.digest });
      onClose();
    } catch (err) {
      toastError('The upload failed', err);
      setProgress(null);
    }
  };

  const close = () => {
    abort.current?.abort();
    onClose();
  };

  return (
    <Dialog
      open
      title="Upload an image"
      onClose={close}
      testId="upload-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={close}>
            Cancel
          </Button>
          <Button
            variant="primary"
            type="submit"
            form="upload-form"
            busy={progress !== null}
            disabled={!file}
          >
            Upload
          </Button>
        </>
      }
    >
      <form id="upload-form" class="form" onSubmit={submit}>
        <Field
          id="upload-file"
          label="Image file"
          hint="A zfs send stream, a raw disk, a qcow2 cloud image or an ISO. Identical files are stored once."
        >
          <input id="upload-file" type="file" onChange={(e) => pick(e.currentTarget.files?.[0])} />
        </Field>
        <Field id="upload-name" label="Name" error={error}>
          <input
            {...describedBy('upload-name', error)}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            spellcheck={false}
          />
        </Field>
        <Field id="upload-format" label="Format">
          <select
            id="upload-format"
            value={format}
            onChange={(e) => setFormat(e.currentTarget.value as UploadFormat)}
          >
            <option value="zfs-send">zfs send stream</option>
            <option value="raw">raw disk</option>
            <option value="qcow2">qcow2 (converted to raw by the controller)</option>
            <option value="iso">ISO (CD-ROM)</option>
          </select>
        </Field>
        {progress ? (
          <div class="upload-progress">
            <ProgressBar
              value={progress.loaded}
              total={Math.max(progress.total, 1)}
              label="Upload"
            />
            <span class="muted small">
              {formatBytes(progress.loaded)} of {formatBytes(progress.total)} ·{' '}
              {percent(progress.loaded, progress.total)}%
            </span>
          </div>
        ) : null}
      </form>
    </Dialog>
  );
}
