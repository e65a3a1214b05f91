import { formatBytes, type Image } from '@apiary/protocol';
import { useEffect } from 'preact/hooks';
import type { EnvFormErrors, EnvFormState } from '../../lib/env-form.js';
import { imageChoiceLabel } from '../../lib/image-summary.js';
import { onLinkClick } from '../../lib/router.js';
import { describedBy, Field } from '../../ui/field.js';

type Set = <K extends keyof EnvFormState>(key: K, value: EnvFormState[K]) => void;

/**
 * What the new VMs boot from: a disk image their boot disk is cloned from, or an ISO they boot
 * to be installed by hand over the console onto an empty disk (issue 13). Each choice lists only
 * the images of its kind, so an ISO is never offered as a disk image or the other way round.
 */
export function BootSourceField({
  images,
  loaded,
  form,
  errors,
  set,
}: {
  images: Image[];
  /** The list has arrived (an empty list then means there are none). */
  loaded: boolean;
  form: EnvFormState;
  errors: EnvFormErrors;
  set: Set;
}) {
  const disks = images.filter((i) => i.format !== 'iso');
  const isos = images.filter((i) => i.format === 'iso');
  const firstDisk = disks[0]?.name;
  const firstIso = isos[0]?.name;
  useEffect(() => {
    // Preselect the first of each kind once the list arrives, unless the operator already chose.
    if (firstDisk && !form.image) set('image', firstDisk);
    if (firstIso && !form.boot_iso) set('boot_iso', firstIso);
  }, [firstDisk, firstIso]);

  const iso = form.boot === 'iso';
  const key = iso ? 'boot_iso' : 'image';
  const choices = iso ? isos : disks;
  const none = loaded && choices.length === 0;
  return (
    <>
      <div class="field field-wide">
        <span class="field-label">Boot from</span>
        <label class="check">
          <input type="radio" name="boot" checked={!iso} onChange={() => set('boot', 'image')} />
          An image (the boot disk is a copy of it)
        </label>
        <label class="check">
          <input type="radio" name="boot" checked={iso} onChange={() => set('boot', 'iso')} />
          An ISO (install by hand over the console onto an empty disk)
        </label>
      </div>
      <Field
        id={`env-${key}`}
        wide
        label={iso ? 'ISO' : 'Image'}
        error={errors[key]}
        hint={
          none ? (
            <>
              No {iso ? 'ISOs' : 'images'} yet.{' '}
              <a href="/images" onClick={(e) => onLinkClick(e, '/images')}>
                Upload one
              </a>{' '}
              or type a name.
            </>
          ) : undefined
        }
      >
        {choices.length > 0 ? (
          <select
            {...describedBy(`env-${key}`, errors[key])}
            name={key}
            value={form[key]}
            onChange={(e) => set(key, e.currentTarget.value)}
          >
            {choices.map((image) => (
              <option key={image.digest} value={image.name}>
                {imageChoiceLabel(image, formatBytes(image.size))}
              </option>
            ))}
          </select>
        ) : (
          <input
            {...describedBy(`env-${key}`, errors[key])}
            name={key}
            autocomplete="off"
            value={form[key]}
            onInput={(e) => set(key, e.currentTarget.value)}
          />
        )}
      </Field>
    </>
  );
}
