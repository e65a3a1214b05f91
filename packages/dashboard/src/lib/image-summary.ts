import type { Image } from '@apiary/protocol';

/** `debian 12 · x86_64`, or '' when the image says nothing of its OS. */
export function imageOs(image: Pick<Image, 'os' | 'version' | 'arch'>): string {
  return [image.os, image.version, image.arch].filter(Boolean).join(' ');
}

/** `cloud-init`, `no cloud-init`, or '' when unknown. */
export function cloudInitLabel(image: Pick<Image, 'cloud_init'>): string {
  if (image.cloud_init === null) return '';
  return image.cloud_init ? 'cloud-init' : 'no cloud-init';
}

/** Where an image came from, when not a plain upload: `box acme/debian@1.2.0`, `from qcow2`. */
export function imageOrigin(image: Pick<Image, 'box' | 'source_format' | 'format'>): string {
  if (image.box) return `box ${image.box.name}@${image.box.version} (${image.box.provider})`;
  if (image.source_format && image.source_format !== image.format)
    return `from ${image.source_format}`;
  return '';
}

/** The env form's option text: name, OS and cloud-init when known, format and size. */
export function imageChoiceLabel(
  image: Pick<Image, 'name' | 'os' | 'version' | 'arch' | 'cloud_init' | 'format'>,
  size: string,
): string {
  return [image.name, imageOs(image), cloudInitLabel(image), image.format, size]
    .filter(Boolean)
    .join(' · ');
}
