import type { Host } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { Button } from '../../ui/button.js';
import { DrainDialog } from './drain-dialog.js';

/** What an operator can do next depends on the host's policy. */
export function HostActions({ host, size = 'sm' }: { host: Host; size?: 'sm' | 'md' }) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const [draining, setDraining] = useState(false);
  const params = { params: { id: host.id } };
  const refresh = ['hosts', 'status'] as const;
  return (
    <div class="actions">
      {host.policy === 'eligible' ? (
        <Button size={size} icon="drain" onClick={() => setDraining(true)} data-testid="drain-host">
          Drain
        </Button>
      ) : null}
      {host.policy === 'draining' ? (
        <Button
          size={size}
          busy={pending === 'undrain'}
          onClick={() =>
            run('undrain', () => api.undrainHost(params), {
              errorTitle: `Could not cancel the drain of ${host.hostname}`,
              success: `${host.hostname} is eligible again`,
              invalidate: refresh,
            })
          }
          data-testid="undrain-host"
        >
          Cancel drain
        </Button>
      ) : null}
      {host.policy === 'maintenance' ? (
        <Button
          size={size}
          icon="play"
          busy={pending === 'activate'}
          onClick={() =>
            run('activate', () => api.activateHost(params), {
              errorTitle: `Could not activate ${host.hostname}`,
              success: `${host.hostname} is back in service`,
              invalidate: refresh,
            })
          }
          data-testid="activate-host"
        >
          Activate
        </Button>
      ) : null}
      {draining ? <DrainDialog host={host} onClose={() => setDraining(false)} /> : null}
    </div>
  );
}
