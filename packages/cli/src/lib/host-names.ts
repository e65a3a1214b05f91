import { ApiError, type ControllerClient } from '@apiary/protocol';

/**
 * How tables name hosts: by hostname, the name an operator knows; with `--wide`, also by id
 * (what `hosts drain ID` and the API take).
 */
export interface HostView {
  wide: boolean;
  /** Host id -> hostname, for the hosts the caller may list. */
  names: ReadonlyMap<string, string>;
}

export const NO_HOST_NAMES: HostView = { wide: false, names: new Map() };

/** A host as a table shows it: `web-1`, or `web-1 (host_...)` with `--wide`. */
export function hostLabel(view: HostView, id: string | null): string {
  if (id === null) return '-';
  const name = view.names.get(id);
  if (name === undefined) return id;
  return view.wide ? `${name} (${id})` : name;
}

/**
 * The hostnames of the fleet. A caller who may not list hosts (an API key without
 * `hosts:read`) still gets its tables, with ids where names would be.
 */
export async function loadHostView(client: ControllerClient, wide: boolean): Promise<HostView> {
  try {
    const page = await client.listHosts({ query: { limit: 1000 } });
    return { wide, names: new Map(page.items.map((h) => [h.id, h.hostname])) };
  } catch (error) {
    if (error instanceof ApiError && error.code === 'forbidden') {
      return { wide, names: new Map() };
    }
    throw error;
  }
}
