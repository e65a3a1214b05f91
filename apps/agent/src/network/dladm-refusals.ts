import { ApiError } from '@apiary/protocol';
import { isHostCommandError } from '../host/host-command-error.js';

/*
 * dladm's refusals of an operator's request, as 4xx in dladm's words (dladm_status2str texts,
 * libdladm.c): a name taken, a lower link missing or busy, a VLAN id already on that link.
 */
const REFUSALS: Array<[string, ConstructorParameters<typeof ApiError>[0]]> = [
  ['object already exists', 'conflict'],
  ['MAC address is already in use', 'conflict'],
  ['link busy', 'conflict'],
  ['invalid link name', 'not_found'],
  ['object not found', 'not_found'],
  ['may not use default_tag ID', 'conflict'],
  ['invalid argument', 'validation'],
  ['operation failed', 'conflict'],
];

export function dladmRefusal(error: unknown): ApiError | null {
  if (!isHostCommandError(error)) return null;
  for (const [text, code] of REFUSALS) {
    if (error.says(text)) {
      const line = error.stderr.split('\n').find((l) => l.includes(text)) ?? text;
      return new ApiError(code, line.trim(), { cause: error });
    }
  }
  return null;
}
