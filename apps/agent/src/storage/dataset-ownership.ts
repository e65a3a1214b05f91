import type { DatasetOwner } from '@apiary/protocol';
import type { Layout } from '../host/layout.js';

/*
 * Which datasets are Apiary's own, and so read-only through the storage API: everything at or
 * below `<pool>/apiary` (images, VM disks and their snapshots) and every dataset mounted at or
 * below the zones directory (the zone roots and the parent they are created under). Derived
 * from the layout and the dataset's mountpoint, never from a list that could drift.
 */

interface Named {
  name: string;
  mountpoint: string | null;
}

const within = (path: string, root: string) => path === root || path.startsWith(`${root}/`);

/** Why Apiary holds this dataset, or null when it does not. */
export function apiaryHold(layout: Layout, ds: Named): string | null {
  const dataset = ds.name.split('@')[0] as string;
  if (within(dataset, layout.apiaryRoot))
    return `it holds Apiary's images and VM disks (${layout.apiaryRoot})`;
  if (ds.mountpoint && within(ds.mountpoint, layout.zonesDir))
    return `it holds the roots of Apiary's VM zones (mounted under ${layout.zonesDir})`;
  return null;
}

export function ownerOf(
  layout: Layout,
  ds: Named,
  createdByApi: ReadonlySet<string>,
): DatasetOwner {
  if (apiaryHold(layout, ds)) return 'apiary';
  return createdByApi.has(ds.name) ? 'api' : 'host';
}
