import { formatDuration, formatMiB, VM_LIMITS } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import {
  type EnvFormErrors,
  type EnvFormState,
  envRequestFromForm,
  fieldErrorsOfRefusal,
  initialEnvForm,
} from '../../lib/env-form.js';
import { navigate, onLinkClick } from '../../lib/router.js';
import { hrefFor } from '../../lib/routes.js';
import { useApp } from '../../state/app-context.js';
import { pushToast, toastError } from '../../state/toasts.js';
import { useQuery } from '../../state/use-query.js';
import { Button } from '../../ui/button.js';
import { describedBy, Field } from '../../ui/field.js';
import { PageHeader, Panel } from '../../ui/page.js';
import { BootSourceField } from './boot-source-field.js';

const LIFETIME_PRESETS = [1, 6, 24, 72, 168];

export function CreateEnvView() {
  const { api, cache } = useApp();
  const images = useQuery('images', (a) => a.listImages({ query: { limit: 1000 } }), ['images']);
  const [form, setForm] = useState<EnvFormState>(initialEnvForm);
  const [errors, setErrors] = useState<EnvFormErrors>({});
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof EnvFormState>(key: K, value: EnvFormState[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (errors[key]) setErrors((e) => ({ ...e, [key]: undefined }));
  };
  const imageList = images.data?.items ?? [];

  const submit = async (event: Event) => {
    event.preventDefault();
    const result = envRequestFromForm(form);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setBusy(true);
    try {
      const env = await api.createEnv({ body: result.request });
      cache.invalidate(['envs', 'hosts', 'status']);
      pushToast({
        kind: 'success',
        title: `Creating ${env.id}`,
        message: `${env.vms.length} VMs placed`,
      });
      navigate(hrefFor({ name: 'env', id: env.id, org: env.org_id }));
    } catch (error) {
      const refused = fieldErrorsOfRefusal(error);
      if (Object.keys(refused).length > 0) setErrors(refused);
      toastError('The environment was not created', error);
      setBusy(false);
    }
  };

  const count = Number(form.count) || 0;
  const totals = {
    cpu: count * (Number(form.cpu) || 0),
    mem: count * (Number(form.mem) || 0),
    disk: count * (Number(form.disk) || 0),
  };
  const text = (key: keyof EnvFormState, extra: Record<string, unknown> = {}) => ({
    ...describedBy(`env-${key}`, errors[key]),
    name: key,
    value: form[key] as string,
    onInput: (e: Event) => set(key, (e.currentTarget as HTMLInputElement).value as never),
    ...extra,
  });

  return (
    <div class="page">
      <PageHeader
        back={{ href: '/envs', label: 'Environments', onClick: (e) => onLinkClick(e, '/envs') }}
        title="New environment"
        subtitle="VMs are placed all together on hosts with room for them, or not at all."
      />
      <form class="create-layout" onSubmit={submit} noValidate data-testid="create-env-form">
        <div class="create-main">
          <Panel title="Basics">
            <div class="form-grid">
              <Field
                id="env-id"
                label="Name"
                error={errors.id}
                hint="Lowercase letters, digits and dashes, e.g. ci-web-42."
              >
                <input {...text('id', { autocomplete: 'off', spellcheck: false })} />
              </Field>
              <Field
                id="env-owner"
                label="Owner"
                optional
                error={errors.owner}
                hint="Who to ask before deleting it."
              >
                <input {...text('owner', { autocomplete: 'off' })} />
              </Field>
            </div>
          </Panel>
          <Panel title="Machines">
            <div class="form-grid">
              <BootSourceField
                images={imageList}
                loaded={Boolean(images.data)}
                form={form}
                errors={errors}
                set={set}
              />
              <Field id="env-count" label="Number of VMs" error={errors.count}>
                <input {...text('count', { inputMode: 'numeric' })} />
              </Field>
              <Field
                id="env-cpu"
                label="vCPUs per VM"
                error={errors.cpu}
                hint={`${VM_LIMITS.cpu.min}–${VM_LIMITS.cpu.max}`}
              >
                <input {...text('cpu', { inputMode: 'numeric' })} />
              </Field>
              <Field
                id="env-mem"
                label="Memory per VM (MiB)"
                error={errors.mem}
                hint={hintMiB(form.mem)}
              >
                <input {...text('mem', { inputMode: 'numeric' })} />
              </Field>
              <Field
                id="env-disk"
                label={form.boot === 'iso' ? 'Empty disk per VM (MiB)' : 'Disk per VM (MiB)'}
                error={errors.disk}
                hint={hintMiB(form.disk)}
              >
                <input {...text('disk', { inputMode: 'numeric' })} />
              </Field>
            </div>
          </Panel>
          <Panel title="Network">
            <div class="form-grid">
              <Field
                id="env-ports"
                label="Exposed ports"
                optional
                error={errors.ports}
                hint="Guest TCP ports, e.g. 80, 443. Port 22 is always exposed."
              >
                <input {...text('ports', { autocomplete: 'off', placeholder: '80, 443' })} />
              </Field>
              <div class="field">
                <span class="field-label">Outgoing traffic</span>
                <label class="check">
                  <input
                    type="checkbox"
                    name="deny_outgoing"
                    checked={form.deny_outgoing}
                    onChange={(e) => set('deny_outgoing', e.currentTarget.checked)}
                  />
                  Block outgoing connections from the VMs
                </label>
              </div>
            </div>
          </Panel>
          <Panel title="Access">
            <Field
              id="env-ssh_keys"
              label="SSH public keys"
              error={errors.ssh_keys}
              hint="One per line, as in authorized_keys (ssh-ed25519 AAAA… you@host)."
            >
              <textarea {...text('ssh_keys', { rows: 4, spellcheck: false, class: 'mono' })} />
            </Field>
          </Panel>
          <Panel title="Lifetime">
            <div class="form-grid">
              <Field
                id="env-lifetime_hours"
                label="Delete after (hours)"
                error={errors.lifetime_hours}
                hint="It can be extended later."
              >
                <div class="input-with-presets">
                  <input {...text('lifetime_hours', { inputMode: 'decimal' })} />
                  <div class="presets">
                    {LIFETIME_PRESETS.map((h) => (
                      <button
                        key={h}
                        type="button"
                        class={`preset${form.lifetime_hours === String(h) ? ' selected' : ''}`}
                        onClick={() => set('lifetime_hours', String(h))}
                      >
                        {formatDuration(h * 3600)}
                      </button>
                    ))}
                  </div>
                </div>
              </Field>
              <div class="field">
                <span class="field-label">If a VM cannot be created</span>
                <label class="check">
                  <input
                    type="radio"
                    name="on_failure"
                    checked={form.on_failure === 'rollback'}
                    onChange={() => set('on_failure', 'rollback')}
                  />
                  Roll back the whole environment
                </label>
                <label class="check">
                  <input
                    type="radio"
                    name="on_failure"
                    checked={form.on_failure === 'keep'}
                    onChange={() => set('on_failure', 'keep')}
                  />
                  Keep the VMs that were created
                </label>
              </div>
            </div>
          </Panel>
        </div>
        <aside class="create-side">
          <Panel title="Summary">
            <dl class="summary">
              <div>
                <dt>VMs</dt>
                <dd>{count || '—'}</dd>
              </div>
              <div>
                <dt>vCPUs</dt>
                <dd>{totals.cpu || '—'}</dd>
              </div>
              <div>
                <dt>Memory</dt>
                <dd>{totals.mem ? formatMiB(totals.mem) : '—'}</dd>
              </div>
              <div>
                <dt>Disk</dt>
                <dd>{totals.disk ? formatMiB(totals.disk) : '—'}</dd>
              </div>
              <div>
                <dt>Expires after</dt>
                <dd>
                  {Number(form.lifetime_hours) > 0
                    ? formatDuration(Number(form.lifetime_hours) * 3600)
                    : '—'}
                </dd>
              </div>
            </dl>
            <Button
              type="submit"
              variant="primary"
              busy={busy}
              class="btn-block"
              data-testid="create-env-submit"
            >
              Create environment
            </Button>
            {Object.values(errors).some(Boolean) ? (
              <p class="form-error" role="alert">
                Fix the highlighted fields to continue.
              </p>
            ) : null}
          </Panel>
        </aside>
      </form>
    </div>
  );
}

function hintMiB(value: string): string | undefined {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1024 ? `= ${formatMiB(n)}` : undefined;
}
