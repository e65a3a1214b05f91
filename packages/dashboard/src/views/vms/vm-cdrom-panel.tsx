import type { Vm } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { shortDigest } from '../../lib/format.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { useQuery } from '../../state/use-query.js';
import { Button } from '../../ui/button.js';
import { Field } from '../../ui/field.js';
import { Panel } from '../../ui/page.js';
import type { VmOperations } from './use-vm-operations.js';

/** The VM's CD-ROM: the ISO in it, or a choice of the ISO images to attach. */
export function VmCdromPanel({
  vm,
  org,
  busy,
  track,
}: {
  vm: Vm;
  org: string | undefined;
  busy: boolean;
  track: VmOperations['track'];
}) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const images = useQuery('images', (a) => a.listImages({ query: { limit: 1000 } }), ['images']);
  const isos = (images.data?.items ?? []).filter((i) => i.format === 'iso');
  const [chosen, setChosen] = useState('');
  const query = org ? { org } : undefined;
  // A running VM sees a CD-ROM change at its next start: show what it will have, and say so.
  const pendingCdrom = vm.pending_changes?.cdrom;
  const cdrom = pendingCdrom !== undefined ? pendingCdrom : (vm.cdrom ?? null);
  const inserted = cdrom ? isos.find((i) => i.digest === cdrom) : undefined;

  const attach = async (event: Event) => {
    event.preventDefault();
    const image = chosen || isos[0]?.digest;
    if (!image) return;
    track(
      await run(
        'attach',
        () => api.attachVmCdrom({ params: { id: vm.id }, query, body: { image } }),
        {
          errorTitle: `Could not attach the ISO to ${vm.id}`,
          invalidate: ['envs'],
        },
      ),
    );
  };
  const detach = async () =>
    track(
      await run('detach', () => api.detachVmCdrom({ params: { id: vm.id }, query }), {
        errorTitle: `Could not detach the CD-ROM of ${vm.id}`,
        invalidate: ['envs'],
      }),
    );

  return (
    <Panel title="CD-ROM" flush testId="vm-cdrom">
      {cdrom ? (
        <div class="inline-form" data-testid="cdrom-inserted">
          <div class="field">
            <span class="strong">{inserted?.name ?? 'ISO'}</span>{' '}
            <span class="muted mono small">{shortDigest(cdrom)}</span>
            {pendingCdrom !== undefined ? <div class="muted small">at the next start</div> : null}
          </div>
          <Button icon="close" busy={pending === 'detach'} disabled={busy} onClick={detach}>
            Detach
          </Button>
        </div>
      ) : isos.length === 0 ? (
        <p class="muted panel-note">Empty. Upload an .iso on the Images page to attach one.</p>
      ) : (
        <form class="inline-form" onSubmit={attach} data-testid="attach-cdrom-form">
          <Field id="cdrom-image" label="ISO image">
            <select
              id="cdrom-image"
              value={chosen}
              onChange={(e) => setChosen(e.currentTarget.value)}
            >
              {isos.map((i) => (
                <option key={i.digest} value={i.digest}>
                  {i.name}
                </option>
              ))}
            </select>
          </Field>
          <Button type="submit" busy={pending === 'attach'} disabled={busy}>
            Attach
          </Button>
        </form>
      )}
    </Panel>
  );
}
