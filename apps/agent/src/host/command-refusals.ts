import { ApiError } from '@apiary/protocol';
import { isHostCommandError } from './host-command-error.js';

/** Text a host command prints when it refuses, and the API error code it answers as. */
export type RefusalTable = Array<[string, ConstructorParameters<typeof ApiError>[0]]>;

/**
 * A reader of a host command's refusals: the first entry of `table` whose text the command's
 * stderr holds becomes a 4xx carrying the command's own line. Anything else (null) stays a host
 * command failure (502, details in the log only).
 */
export function refusalReader(table: RefusalTable): (error: unknown) => ApiError | null {
  return (error) => {
    if (!isHostCommandError(error)) return null;
    for (const [text, code] of table) {
      if (error.says(text)) {
        const line = error.stderr.split('\n').find((l) => l.includes(text)) ?? text;
        return new ApiError(code, line.trim(), { cause: error });
      }
    }
    return null;
  };
}
