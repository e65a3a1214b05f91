import {
  AddDiskReq,
  formatMiB,
  ImageName,
  issueMessage,
  parseSizeMiB,
  VmSnapshotName,
  validationIssues,
} from '@apiary/protocol';
import type { z } from 'zod';

/*
 * The VM page's one-field forms (a new disk's size, a snapshot's name, a published image's
 * name), checked with the protocol's schemas so the browser says what the controller would.
 */

export type FieldResult<T> = { ok: true; value: T } | { ok: false; error: string };

function check<S extends z.ZodType>(
  schema: S,
  value: unknown,
  bound?: (n: number) => string,
): FieldResult<z.output<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const [issue] = validationIssues(parsed.error, { limit: 1 }).issues;
  return { ok: false, error: issue ? issueMessage(issue, bound) : 'invalid' };
}

/** `20G` -> `{ size: 20480 }` for `POST /v1/vms/{id}/disks`. */
export function diskFromText(text: string): FieldResult<AddDiskReq> {
  let size: number;
  try {
    size = parseSizeMiB(text);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const result = check(AddDiskReq, { size }, formatMiB);
  return result.ok ? result : { ok: false, error: result.error };
}

export function snapshotNameFromText(text: string): FieldResult<string> {
  return check(VmSnapshotName, text.trim());
}

export function imageNameFromText(text: string): FieldResult<string> {
  return check(ImageName, text.trim());
}
