import { formatBytes, type Host, type PoolVdev, type StorageDataset } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import {
  DATASET_FIELDS,
  type DatasetFormState,
  datasetRequestFromForm,
  initialDatasetForm,
  isApiarys,
} from '../../lib/host-resource-forms.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { useFormSubmit } from '../../state/use-form-submit.js';
import { useQuery } from '../../state/use-query.js';
import { Button } from '../../ui/button.js';
import { ConfirmDialog } from '../../ui/confirm-dialog.js';
import { describedBy, Field } from '../../ui/field.js';
import { FormDialog } from '../../ui/form-dialog.js';
import { LoadState, Panel } from '../../ui/page.js';

/*
 * A host's pools (with the vdev tree `zpool status` shows) and datasets (issue 14). Apiary's
 * own datasets are listed and marked, never offered for deletion; others can be destroyed
 * after a confirmation, and file systems or volumes created.
 */

const bytes = (v: number | null) => (v === null ? '—' : formatBytes(v));

export function HostPools({ host }: { host: Host }) {
  const pools = useQuery(
    `host-pools:${host.id}`,
    (api) => api.listHostPools({ params: { id: host.id } }),
    ['hosts'],
  );
  return (
    <Panel title="Pools" testId="host-pools">
      {!pools.data ? (
        <LoadState
          loading={pools.loading}
          error={pools.error}
          onRetry={pools.refetch}
          what="pools"
        />
      ) : (
        pools.data.items.map((p) => (
          <div key={p.name} class="pool" data-testid={`pool-${p.name}`}>
            <p>
              <strong class="mono">{p.name}</strong> {p.health} · {formatBytes(p.allocated)} of{' '}
              {formatBytes(p.size)} used · {formatBytes(p.free)} free
              {p.fragmentation === null ? '' : ` · ${p.fragmentation}% fragmented`}
            </p>
            <ul class="vdev-tree" data-testid={`vdevs-${p.name}`}>
              {p.vdevs.map((v) => (
                <VdevNode key={v.name} vdev={v} />
              ))}
              {(['logs', 'cache', 'spares'] as const).map((section) =>
                p[section].length > 0 ? (
                  <li key={section}>
                    {section}
                    <ul>
                      {p[section].map((v) => (
                        <VdevNode key={v.name} vdev={v} />
                      ))}
                    </ul>
                  </li>
                ) : null,
              )}
            </ul>
          </div>
        ))
      )}
    </Panel>
  );
}

function VdevNode({ vdev: v }: { vdev: PoolVdev }) {
  const errors = v.read + v.write + v.cksum;
  return (
    <li>
      <span class="mono">{v.name}</span>
      {v.type === 'disk' || v.type === 'file' ? '' : ` (${v.type})`} {v.state}
      {errors > 0 ? <span class="text-red"> {errors} errors</span> : null}
      {v.children.length > 0 ? (
        <ul>
          {v.children.map((c) => (
            <VdevNode key={c.name} vdev={c} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

export function HostDatasets({ host }: { host: Host }) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<StorageDataset | null>(null);
  const datasets = useQuery(
    `host-datasets:${host.id}`,
    (a) => a.listHostDatasets({ params: { id: host.id }, query: {} }),
    ['hosts'],
  );
  const remove = async (d: StorageDataset) => {
    const done = await run(
      'delete',
      () => api.deleteHostDataset({ params: { id: host.id, name: d.name }, query: {} }),
      {
        errorTitle: `Could not destroy ${d.name}`,
        success: `${d.name} destroyed`,
        invalidate: ['hosts'],
      },
    );
    if (done) setDeleting(null);
  };
  const firstPool = datasets.data?.items[0]?.name.split('/')[0] ?? 'rpool';
  return (
    <Panel
      title="Datasets"
      testId="host-datasets"
      flush
      actions={
        <Button size="sm" icon="plus" onClick={() => setCreating(true)}>
          Create dataset
        </Button>
      }
    >
      {!datasets.data ? (
        <LoadState
          loading={datasets.loading}
          error={datasets.error}
          onRetry={datasets.refetch}
          what="datasets"
        />
      ) : (
        <table class="table table-compact">
          <thead>
            <tr>
              <th>Dataset</th>
              <th>Type</th>
              <th class="num">Used</th>
              <th class="num">Available</th>
              <th class="num">Quota</th>
              <th>Mountpoint</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {datasets.data.items.map((d) => (
              <tr key={d.name} data-testid={`dataset-${d.name}`} data-owner={d.owner}>
                <td class="mono">
                  {d.name} {isApiarys(d) ? <span class="badge">Apiary</span> : null}
                </td>
                <td>{d.type}</td>
                <td class="num">{formatBytes(d.used)}</td>
                <td class="num">{bytes(d.available)}</td>
                <td class="num">{d.quota ? formatBytes(d.quota) : 'none'}</td>
                <td class="mono">{d.mountpoint ?? '—'}</td>
                <td class="num">
                  {isApiarys(d) ? null : (
                    <Button size="sm" variant="ghost" onClick={() => setDeleting(d)}>
                      Destroy
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating ? (
        <CreateDatasetDialog host={host} pool={firstPool} onClose={() => setCreating(false)} />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title={`Destroy ${deleting?.name ?? ''}?`}
        confirmLabel="Destroy dataset"
        danger
        busy={pending === 'delete'}
        onConfirm={() => deleting && void remove(deleting)}
        onClose={() => setDeleting(null)}
      >
        <p>Its data on {host.hostname} is gone for good. A dataset with children is refused.</p>
      </ConfirmDialog>
    </Panel>
  );
}

function CreateDatasetDialog({
  host,
  pool,
  onClose,
}: {
  host: Host;
  pool: string;
  onClose: () => void;
}) {
  const { api } = useApp();
  const [form, setForm] = useState<DatasetFormState>(initialDatasetForm(pool));
  const set = (patch: Partial<DatasetFormState>) => setForm({ ...form, ...patch });
  const { errors, busy, submit } = useFormSubmit({
    fields: DATASET_FIELDS,
    fallback: 'name',
    check: () => datasetRequestFromForm(form),
    send: (body) => api.createHostDataset({ params: { id: host.id }, body }),
    errorTitle: (body) => `Could not create ${body.name}`,
    success: (body) => `${body.name} created on ${host.hostname}`,
    invalidate: ['hosts'],
    onDone: onClose,
  });
  const text = (field: 'name' | 'size' | 'quota' | 'compression', label: string, hint: string) => (
    <Field id={`dataset-${field}`} label={label} hint={hint} error={errors[field]}>
      <input
        {...describedBy(`dataset-${field}`, errors[field])}
        value={form[field]}
        onInput={(e) => set({ [field]: e.currentTarget.value })}
      />
    </Field>
  );
  return (
    <FormDialog
      title={`Create a dataset on ${host.hostname}`}
      testId="create-dataset-dialog"
      submitLabel="Create"
      busy={busy}
      onSubmit={submit}
      onClose={onClose}
    >
      {text('name', 'Name', 'pool/name; the parent must exist')}
      <Field id="dataset-type" label="Type" error={errors.type}>
        <select
          id="dataset-type"
          value={form.type}
          onChange={(e) => set({ type: e.currentTarget.value as DatasetFormState['type'] })}
        >
          <option value="filesystem">file system</option>
          <option value="volume">volume</option>
        </select>
      </Field>
      {form.type === 'volume' ? text('size', 'Size', 'e.g. 20G') : null}
      {text('quota', 'Quota', 'e.g. 10G (empty: none)')}
      {text('compression', 'Compression', 'e.g. lz4 (empty: inherited)')}
    </FormDialog>
  );
}
