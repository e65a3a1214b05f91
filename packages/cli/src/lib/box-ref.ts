import { BoxName, BoxVersion } from '@apiary/protocol';
import { UsageError } from './errors.js';

/** `ORG/BOX[@VERSION]` as `apiary images pull-box` takes it. */
export function parseBoxRef(ref: string): { box: string; version?: string } {
  const at = ref.lastIndexOf('@');
  const box = at === -1 ? ref : ref.slice(0, at);
  const version = at === -1 ? undefined : ref.slice(at + 1);
  if (!BoxName.safeParse(box).success) {
    throw new UsageError(
      `${ref} is not a box: give ORG/BOX or ORG/BOX@VERSION (e.g. acme/debian-12@1.2.0)`,
    );
  }
  if (version !== undefined && !BoxVersion.safeParse(version).success) {
    throw new UsageError(`${version} is not a box version (e.g. 1.2.0)`);
  }
  return version === undefined ? { box } : { box, version };
}
