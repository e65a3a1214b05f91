import type { Registry, RegistryBox } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { useQuery } from '../../state/use-query.js';
import { Button } from '../../ui/button.js';
import { LoadState } from '../../ui/page.js';
import { AddRegistryDialog } from './add-registry-dialog.js';

/**
 * The organization's box registries: add one (its token is kept encrypted by the controller
 * and never shown again), remove one, search its boxes and pull one.
 */
export function RegistriesPanel({
  onPull,
}: {
  onPull: (registries: Registry[], initial?: { registry: string; box: string }) => void;
}) {
  const { api } = useApp();
  const registries = useQuery('registries', (a) => a.listRegistries({}), ['images']);
  const { run, pending } = useAction();
  const [adding, setAdding] = useState(false);
  const [searching, setSearching] = useState<Registry | null>(null);
  const [q, setQ] = useState('');
  const [boxes, setBoxes] = useState<RegistryBox[] | null>(null);

  const search = async (registry: Registry, event?: Event) => {
    event?.preventDefault();
    setSearching(registry);
    const found = await run(
      'search',
      () => api.listRegistryBoxes({ params: { id: registry.id }, query: q ? { q } : {} }),
      { errorTitle: `Could not search ${registry.name}` },
    );
    setBoxes(found?.items ?? null);
  };

  const remove = async (registry: Registry) => {
    await run('delete', () => api.deleteRegistry({ params: { id: registry.id } }), {
      errorTitle: `Could not remove ${registry.name}`,
      success: `Removed ${registry.name}`,
      invalidate: ['images'],
    });
    registries.refetch();
  };

  const items = registries.data?.items ?? [];
  return (
    <section class="panel" data-testid="registries-panel">
      <h2>Box registries</h2>
      {!registries.data ? (
        <LoadState
          loading={registries.loading}
          error={registries.error}
          onRetry={registries.refetch}
          what="registries"
        />
      ) : items.length === 0 ? (
        <p class="muted">
          No registry yet: add a Vagrant-compatible one (BoxVault, Vagrant Cloud).
        </p>
      ) : (
        <table class="table" data-testid="registries-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>URL</th>
              <th>Token</th>
              <th class="actions-col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id} data-testid="registry-row">
                <td class="strong">{r.name}</td>
                <td class="mono">{r.url}</td>
                <td>{r.has_token ? 'kept encrypted' : 'none'}</td>
                <td class="actions-col">
                  <Button size="sm" variant="ghost" onClick={() => search(r)}>
                    Browse
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() => onPull(items, { registry: r.id, box: '' })}
                  >
                    Pull
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    icon="trash"
                    aria-label={`Remove ${r.name}`}
                    busy={pending === 'delete'}
                    onClick={() => remove(r)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {searching ? (
        <form class="form inline" onSubmit={(e) => search(searching, e)} data-testid="box-search">
          <label>
            Search {searching.name}{' '}
            <input value={q} onInput={(e) => setQ(e.currentTarget.value)} placeholder="debian" />
          </label>
          <Button type="submit" size="sm" busy={pending === 'search'}>
            Search
          </Button>
        </form>
      ) : null}
      {searching && boxes ? (
        boxes.length === 0 ? (
          <p class="muted">No box matches.</p>
        ) : (
          <table class="table" data-testid="boxes-table">
            <thead>
              <tr>
                <th>Box</th>
                <th>Versions</th>
                <th>Providers</th>
                <th>Description</th>
                <th class="actions-col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {boxes.map((b) => (
                <tr key={b.name}>
                  <td class="mono">{b.name}</td>
                  <td>{b.versions.map((v) => v.version).join(', ') || '-'}</td>
                  <td>{[...new Set(b.versions.flatMap((v) => v.providers))].join(', ') || '-'}</td>
                  <td class="muted">{b.description ?? ''}</td>
                  <td class="actions-col">
                    <Button
                      size="sm"
                      onClick={() => onPull(items, { registry: searching.id, box: b.name })}
                    >
                      Pull
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      <div class="panel-actions">
        <Button size="sm" icon="plus" onClick={() => setAdding(true)} data-testid="add-registry">
          Add registry
        </Button>
      </div>
      {adding ? <AddRegistryDialog onClose={() => setAdding(false)} /> : null}
    </section>
  );
}
