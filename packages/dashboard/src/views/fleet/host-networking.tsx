import type { Host, HostLink, Network } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import {
  initialNetworkForm,
  NETWORK_FIELDS,
  type NetworkField,
  type NetworkFormState,
  networkRequestFromForm,
} from '../../lib/host-resource-forms.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { useFormSubmit } from '../../state/use-form-submit.js';
import { useQuery } from '../../state/use-query.js';
import { Button } from '../../ui/button.js';
import { ConfirmDialog } from '../../ui/confirm-dialog.js';
import { describedBy, Field } from '../../ui/field.js';
import { FormDialog } from '../../ui/form-dialog.js';
import { EmptyState, LoadState, Panel } from '../../ui/page.js';

/*
 * A host's links and the networks VMs join (issue 14), for the admins who may change them.
 * Apiary's own links are marked and offer no delete; networks other than nat can be deleted
 * (the host refuses while VMs are on one, and says which).
 */

/** Links a host's admin made (etherstubs, VNICs, VLANs) can go; physical ones and Apiary's stay. */
const DELETABLE_CLASSES = new Set(['etherstub', 'vnic', 'vlan']);

export function HostLinks({ host }: { host: Host }) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const [deleting, setDeleting] = useState<HostLink | null>(null);
  const links = useQuery(
    `host-links:${host.id}`,
    (a) => a.listHostLinks({ params: { id: host.id } }),
    ['hosts'],
  );
  const remove = async (l: HostLink) => {
    const done = await run(
      'delete',
      () => api.deleteHostLink({ params: { id: host.id, name: l.name } }),
      {
        errorTitle: `Could not delete ${l.name}`,
        success: `${l.name} deleted`,
        invalidate: ['hosts'],
      },
    );
    if (done) setDeleting(null);
  };
  return (
    <Panel title="Links" testId="host-links" flush>
      {!links.data ? (
        <LoadState
          loading={links.loading}
          error={links.error}
          onRetry={links.refetch}
          what="links"
        />
      ) : (
        <table class="table table-compact">
          <thead>
            <tr>
              <th>Link</th>
              <th>Class</th>
              <th>Over</th>
              <th>State</th>
              <th class="num">MTU</th>
              <th class="num">VLAN</th>
              <th>Used by</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {links.data.items.map((l) => (
              <LinkRow key={l.name} link={l} onDelete={() => setDeleting(l)} />
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? ''}?`}
        confirmLabel="Delete link"
        danger
        busy={pending === 'delete'}
        onConfirm={() => deleting && void remove(deleting)}
        onClose={() => setDeleting(null)}
      >
        <p>The link goes from {host.hostname}. The host refuses while anything uses it.</p>
      </ConfirmDialog>
    </Panel>
  );
}

function LinkRow({ link: l, onDelete }: { link: HostLink; onDelete: () => void }) {
  const deletable = l.owner === 'host' && DELETABLE_CLASSES.has(l.class);
  return (
    <tr data-testid={`link-${l.name}`} data-owner={l.owner}>
      <td class="mono">
        {l.name} {l.owner === 'apiary' ? <span class="badge">Apiary</span> : null}
      </td>
      <td>{l.class}</td>
      <td class="mono">{l.over.join(', ') || '—'}</td>
      <td>{l.state ?? '—'}</td>
      <td class="num">{l.mtu ?? '—'}</td>
      <td class="num">{l.vlan_id ?? '—'}</td>
      <td class="mono">{l.used_by.join(', ') || '—'}</td>
      <td class="num">
        {deletable ? (
          <Button size="sm" variant="ghost" onClick={onDelete}>
            Delete
          </Button>
        ) : null}
      </td>
    </tr>
  );
}

export function HostNetworks({ host }: { host: Host }) {
  const { api } = useApp();
  const { run, pending } = useAction();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Network | null>(null);
  const networks = useQuery(
    `host-networks:${host.id}`,
    (a) => a.listHostNetworks({ params: { id: host.id } }),
    ['hosts'],
  );
  const remove = async (n: Network) => {
    const done = await run(
      'delete',
      () => api.deleteHostNetwork({ params: { id: host.id, name: n.name } }),
      {
        errorTitle: `Could not delete network ${n.name}`,
        success: `Network ${n.name} deleted`,
        invalidate: ['hosts'],
      },
    );
    if (done) setDeleting(null);
  };
  return (
    <Panel
      title="Networks"
      testId="host-networks"
      flush
      actions={
        <Button size="sm" icon="plus" onClick={() => setCreating(true)}>
          Create network
        </Button>
      }
    >
      {!networks.data ? (
        <LoadState
          loading={networks.loading}
          error={networks.error}
          onRetry={networks.refetch}
          what="networks"
        />
      ) : networks.data.items.length === 0 ? (
        <EmptyState icon="envs" title="No networks" />
      ) : (
        <table class="table table-compact">
          <thead>
            <tr>
              <th>Network</th>
              <th>Kind</th>
              <th>Link</th>
              <th class="num">VLAN</th>
              <th>Addresses</th>
              <th class="num">VMs</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {networks.data.items.map((n) => (
              <tr key={n.name} data-testid={`network-${n.name}`}>
                <td class="mono">{n.name}</td>
                <td>{n.kind}</td>
                <td class="mono">{n.link}</td>
                <td class="num">{n.vlan ?? '—'}</td>
                <td class="mono">
                  {n.addressing === 'dhcp' ? 'DHCP' : `${n.subnet ?? ''} ${n.range ?? ''}`}
                </td>
                <td class="num">{n.vm_count}</td>
                <td class="num">
                  {n.kind === 'nat' ? null : (
                    <Button size="sm" variant="ghost" onClick={() => setDeleting(n)}>
                      Delete
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating ? <CreateNetworkDialog host={host} onClose={() => setCreating(false)} /> : null}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete network ${deleting?.name ?? ''}?`}
        confirmLabel="Delete network"
        danger
        busy={pending === 'delete'}
        onConfirm={() => deleting && void remove(deleting)}
        onClose={() => setDeleting(null)}
      >
        <p>VMs can no longer join it on {host.hostname}. The host refuses while VMs are on it.</p>
      </ConfirmDialog>
    </Panel>
  );
}

function CreateNetworkDialog({ host, onClose }: { host: Host; onClose: () => void }) {
  const { api } = useApp();
  const [form, setForm] = useState<NetworkFormState>(initialNetworkForm());
  const set = (patch: Partial<NetworkFormState>) => setForm({ ...form, ...patch });
  const { errors, busy, submit } = useFormSubmit({
    fields: NETWORK_FIELDS,
    fallback: 'name',
    check: () => networkRequestFromForm(form),
    send: (body) => api.createHostNetwork({ params: { id: host.id }, body }),
    errorTitle: (body) => `Could not create network ${body.name}`,
    success: (body) => `Network ${body.name} created on ${host.hostname}`,
    invalidate: ['hosts'],
    onDone: onClose,
  });
  const text = (field: Exclude<NetworkField, 'kind'>, label: string, hint: string) => (
    <Field id={`network-${field}`} label={label} hint={hint} error={errors[field]} optional>
      <input
        {...describedBy(`network-${field}`, errors[field])}
        value={form[field]}
        onInput={(e) => set({ [field]: e.currentTarget.value })}
      />
    </Field>
  );
  return (
    <FormDialog
      title={`Create a network on ${host.hostname}`}
      testId="create-network-dialog"
      submitLabel="Create"
      busy={busy}
      onSubmit={submit}
      onClose={onClose}
    >
      <Field id="network-name" label="Name" error={errors.name}>
        <input
          {...describedBy('network-name', errors.name)}
          value={form.name}
          onInput={(e) => set({ name: e.currentTarget.value })}
        />
      </Field>
      <Field
        id="network-kind"
        label="Kind"
        hint="bridged: on the LAN; private: VMs of this host only"
      >
        <select
          id="network-kind"
          value={form.kind}
          onChange={(e) => set({ kind: e.currentTarget.value as NetworkFormState['kind'] })}
        >
          <option value="bridged">bridged</option>
          <option value="private">private</option>
        </select>
      </Field>
      {form.kind === 'bridged' ? text('link', 'Link', 'the physical link or aggregation') : null}
      {form.kind === 'bridged' ? text('vlan', 'VLAN', '1 to 4094') : null}
      {text('subnet', 'Subnet', 'static addresses, e.g. 192.168.12.0/24 (none: DHCP)')}
      {form.kind === 'bridged' ? text('gateway', 'Gateway', 'the default router') : null}
      {text('dns', 'DNS', 'name servers, comma-separated')}
      {text('range', 'Range', 'FIRST-LAST (default: the whole subnet)')}
    </FormDialog>
  );
}
