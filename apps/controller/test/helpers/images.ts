import { createHash } from 'node:crypto';
import type { Image } from '@apiary/protocol';
import type { Harness } from './harness.js';

/** Uploads bytes as an image through the API and returns the stored record. */
export async function uploadImage(
  h: Harness,
  name: string,
  content = `image ${name}`,
  token?: string,
  format: Image['format'] = 'zfs-send',
): Promise<Image> {
  const res = await h.core.app.request(`/v1/images?name=${name}&format=${format}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token ?? h.adminKey}`,
      'content-type': 'application/octet-stream',
    },
    body: content,
  });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Image;
}

export function digestOf(content: string): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

/** Uploads bytes as an ISO (format `iso`, a CD-ROM): any bytes do, nothing reads them as zfs. */
export function uploadIso(h: Harness, name: string, content = `CD001 ${name}`): Promise<Image> {
  return uploadImage(h, name, content, undefined, 'iso');
}
