import { type Env, formatDuration } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { extendFromHours } from '../../lib/extend-form.js';
import { formatDateTime } from '../../lib/format.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { Button } from '../../ui/button.js';
import { Dialog } from '../../ui/dialog.js';
import { describedBy, Field } from '../../ui/field.js';

const PRESETS = [1, 6, 24, 72];

/** Add time to an environment's remaining lifetime. */
export function ExtendDialog({ env, onClose }: { env: Env; onClose: () => void }) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const [hours, setHours] = useState('6');
  const [error, setError] = useState<string | undefined>();
  const seconds = Math.round(Number(hours) * 3600);
  const newExpiry =
    Number.isFinite(seconds) && seconds > 0
      ? new Date(Math.max(Date.parse(env.expires_at), Date.now()) + seconds * 1000).toISOString()
      : null;

  const submit = async (event: Event) => {
    event.preventDefault();
    const parsed = extendFromHours(hours);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(undefined);
    const result = await run(
      'extend',
      () =>
        api.extendEnv({ params: { id: env.id }, query: { org: env.org_id }, body: parsed.body }),
      {
        errorTitle: `Could not extend ${env.id}`,
        success: `${env.id} extended by ${formatDuration(parsed.body.seconds)}`,
        invalidate: ['envs'],
      },
    );
    if (result) onClose();
  };

  return (
    <Dialog
      open
      title={`Extend ${env.id}`}
      onClose={onClose}
      testId="extend-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="extend-form" busy={pending === 'extend'}>
            Extend
          </Button>
        </>
      }
    >
      <form id="extend-form" class="form" onSubmit={submit}>
        <div class="presets">
          {PRESETS.map((h) => (
            <button
              key={h}
              type="button"
              class={`preset${hours === String(h) ? ' selected' : ''}`}
              onClick={() => setHours(String(h))}
            >
              +{formatDuration(h * 3600)}
            </button>
          ))}
        </div>
        <Field
          id="extend-hours"
          label="Hours to add"
          error={error}
          hint={newExpiry ? `New expiry: ${formatDateTime(newExpiry)}` : undefined}
        >
          <input
            {...describedBy('extend-hours', error)}
            inputMode="decimal"
            value={hours}
            onInput={(e) => setHours(e.currentTarget.value)}
          />
        </Field>
      </form>
    </Dialog>
  );
}
