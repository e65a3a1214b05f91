import type { Host } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { Button } from '../../ui/button.js';
import { Dialog } from '../../ui/dialog.js';
import { describedBy, Field } from '../../ui/field.js';

/** Start a drain: no new placements, and by mode wait for VMs to end or stop them. */
export function DrainDialog({ host, onClose }: { host: Host; onClose: () => void }) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const [mode, setMode] = useState<'wait' | 'stop'>('wait');
  const [minutes, setMinutes] = useState('');
  const [error, setError] = useState<string | undefined>();

  const submit = async (event: Event) => {
    event.preventDefault();
    const text = minutes.trim();
    if (text !== '' && !/^\d+$/.test(text)) return setError('must be a whole number of minutes');
    setError(undefined);
    const body = text === '' ? { mode } : { mode, deadline_seconds: Number(text) * 60 };
    const drain = await run('drain', () => api.drainHost({ params: { id: host.id }, body }), {
      errorTitle: `Could not drain ${host.hostname}`,
      success: `Draining ${host.hostname}`,
      invalidate: ['hosts', 'status'],
    });
    if (drain) onClose();
  };

  return (
    <Dialog
      open
      title={`Drain ${host.hostname}`}
      onClose={onClose}
      testId="drain-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="drain-form" busy={pending === 'drain'}>
            Start drain
          </Button>
        </>
      }
    >
      <form id="drain-form" class="form" onSubmit={submit}>
        <p class="muted">
          New VMs stop being placed on this host at once. It has {host.vm_count}{' '}
          {host.vm_count === 1 ? 'VM' : 'VMs'}. When the drain completes the host goes into
          maintenance until you activate it.
        </p>
        <fieldset class="choices">
          <legend>When VMs are still running</legend>
          <label class={`choice${mode === 'wait' ? ' selected' : ''}`}>
            <input
              type="radio"
              name="mode"
              value="wait"
              checked={mode === 'wait'}
              onChange={() => setMode('wait')}
            />
            <span>
              <strong>Wait</strong>
              <span class="muted">Let environments end or be deleted by their owners.</span>
            </span>
          </label>
          <label class={`choice${mode === 'stop' ? ' selected' : ''}`}>
            <input
              type="radio"
              name="mode"
              value="stop"
              checked={mode === 'stop'}
              onChange={() => setMode('stop')}
              data-testid="drain-mode-stop"
            />
            <span>
              <strong>Stop</strong>
              <span class="muted">Stop the VMs that are left at the deadline.</span>
            </span>
          </label>
        </fieldset>
        <Field
          id="drain-deadline"
          label="Deadline in minutes"
          optional
          error={error}
          hint={mode === 'stop' ? 'Empty: stop them now.' : 'Empty: no deadline.'}
        >
          <input
            {...describedBy('drain-deadline', error)}
            inputMode="numeric"
            value={minutes}
            onInput={(e) => setMinutes(e.currentTarget.value)}
          />
        </Field>
      </form>
    </Dialog>
  );
}
