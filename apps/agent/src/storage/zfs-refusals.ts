import { type RefusalTable, refusalReader } from '../host/command-refusals.js';

/*
 * What an operator did wrong, as ZFS says it, turned into a 4xx that carries ZFS's own words
 * (`cannot create 'rpool/x': dataset already exists`). Anything else stays a host command
 * failure (502, details in the log only).
 */
const REFUSALS: RefusalTable = [
  ['dataset already exists', 'conflict'],
  ['parent does not exist', 'not_found'],
  ['dataset does not exist', 'not_found'],
  ['out of space', 'insufficient_storage'],
  ['greater than available space', 'insufficient_storage'],
  ['has children', 'conflict'],
  ['has dependent clones', 'conflict'],
  ['dataset is busy', 'conflict'],
  ['Device busy', 'conflict'],
  ['must be one of', 'validation'],
  ['must be a multiple', 'validation'],
  ['must be a power of 2', 'validation'],
  ['invalid property', 'validation'],
  ['is readonly', 'validation'],
  ['bad numeric value', 'validation'],
  ['Overlapping swap files', 'conflict'],
  ['is not valid for swapping', 'validation'],
  ['Invalid argument', 'conflict'],
  ['No such file or directory', 'not_found'],
];

export const zfsRefusal = refusalReader(REFUSALS);

/** Run a host change; an operator's mistake comes back as a 4xx in ZFS's words. */
export async function refusingPlainly<T>(task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    throw zfsRefusal(error) ?? error;
  }
}
