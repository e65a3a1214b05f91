import {
  Compression,
  CreateDatasetReq,
  CreateNetworkReq,
  parseSizeMiB,
  type StorageDataset,
} from '@apiary/protocol';
import { checkForm, type FieldErrors, type FormCheck } from './form-errors.js';

/*
 * The create-network and create-dataset dialogs of a host's page (issue 14): form text to the
 * request bodies the controller takes, checked with the protocol's own schemas (the agent's),
 * so a form refuses what the host would, in its words. Empty fields are left out.
 */

export interface NetworkFormState {
  name: string;
  kind: 'bridged' | 'private';
  link: string;
  vlan: string;
  subnet: string;
  gateway: string;
  /** Comma- or space-separated addresses. */
  dns: string;
  range: string;
}

export const NETWORK_FIELDS = [
  'name',
  'kind',
  'link',
  'vlan',
  'subnet',
  'gateway',
  'dns',
  'range',
] as const;
export type NetworkField = (typeof NETWORK_FIELDS)[number];

export function initialNetworkForm(): NetworkFormState {
  return {
    name: '',
    kind: 'bridged',
    link: '',
    vlan: '',
    subnet: '',
    gateway: '',
    dns: '',
    range: '',
  };
}

const optional = (v: string) => v.trim() || undefined;

export function networkRequestFromForm(
  f: NetworkFormState,
): FormCheck<CreateNetworkReq, NetworkField> {
  const vlan = optional(f.vlan);
  const dns = f.dns.split(/[\s,]+/).filter(Boolean);
  const body = {
    name: f.name.trim(),
    kind: f.kind,
    link: optional(f.link),
    // A VLAN that is no number is sent as typed, so the schema says what is wrong with it.
    vlan: vlan === undefined ? undefined : /^\d+$/.test(vlan) ? Number(vlan) : vlan,
    subnet: optional(f.subnet),
    gateway: optional(f.gateway),
    dns: dns.length > 0 ? dns : undefined,
    range: optional(f.range),
  };
  return checkForm(CreateNetworkReq, withoutUndefined(body), NETWORK_FIELDS, 'name');
}

export interface DatasetFormState {
  name: string;
  type: 'filesystem' | 'volume';
  /** Volumes: `20G`, `512M` (a bare number is MiB, as the VM forms read sizes). */
  size: string;
  quota: string;
  compression: string;
}

export const DATASET_FIELDS = ['name', 'type', 'size', 'quota', 'compression'] as const;
export type DatasetField = (typeof DATASET_FIELDS)[number];

export function initialDatasetForm(pool: string): DatasetFormState {
  return { name: `${pool}/`, type: 'filesystem', size: '', quota: '', compression: '' };
}

const MIB = 1024 * 1024;

export function datasetRequestFromForm(
  f: DatasetFormState,
): FormCheck<CreateDatasetReq, DatasetField> {
  const errors: FieldErrors<DatasetField> = {};
  const bytes = (field: 'size' | 'quota', text: string) => {
    if (!text.trim()) return undefined;
    try {
      return parseSizeMiB(text) * MIB;
    } catch (error) {
      errors[field] = (error as Error).message;
      return undefined;
    }
  };
  const size = bytes('size', f.size);
  const quota = bytes('quota', f.quota);
  const compression = optional(f.compression);
  if (compression !== undefined && !Compression.safeParse(compression).success) {
    errors.compression = `must be one of ${Compression.options.join(', ')}`;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const body = {
    name: f.name.trim(),
    type: f.type,
    size,
    properties: withoutUndefined({ quota, compression }),
  };
  return checkForm(CreateDatasetReq, withoutUndefined(body), DATASET_FIELDS, 'name');
}

/** Apiary's datasets and links are shown, marked, and never offered for deletion. */
export function isApiarys(row: { owner: StorageDataset['owner'] }): boolean {
  return row.owner === 'apiary';
}

function withoutUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
