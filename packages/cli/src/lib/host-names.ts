import { ApiError, type ControllerClient, type Host } from '@apiary/protocol';
import { UsageError } from './errors.js';
import { UnknownNameError, unknownNameMessage } from './near-name.js';

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

/**
 * The host id a user's argument names: a host id as it is, or a hostname (what the tables
 * show). An unknown one is reported with the near hostnames.
 */
export async function resolveHostId(client: ControllerClient, typed: string): Promise<string> {
  let hosts: Host[];
  try {
    hosts = (await client.listHosts({ query: { limit: 1000 } })).items;
  } catch (error) {
    // A caller who may not list hosts can still name one by id; the controller judges it.
    if (error instanceof ApiError && error.code === 'forbidden') return typed;
    throw error;
  }
  if (hosts.some((h) => h.id === typed)) return typed;
  const named = hosts.filter((h) => h.hostname === typed);
  if (named.length === 1) return (named[0] as Host).id;
  if (named.length > 1) {
    throw new UsageError(
      `${named.length} hosts are named ${typed}: give one's id (${named.map((h) => h.id).join(', ')})`,
    );
  }
  throw new UnknownNameError(
    unknownNameMessage(
      'host',
      typed,
      hosts.map((h) => h.hostname),
    ),
  );
}
