import { ApiError, didYouMean } from '@apiary/protocol';

/** What a name the user gave could not be found among, and where to look for the real ones. */
const WHERE = {
  image: '`apiary images list` shows them; `apiary images import FILE` adds one',
  environment: '`apiary envs list` shows them',
  host: '`apiary hosts list` shows them',
  network: '`apiary hosts networks HOST` shows them',
  link: '`apiary hosts links HOST` shows them',
  dataset: '`apiary hosts datasets HOST` shows them',
  'swap volume': '`apiary hosts swap HOST` shows them',
} as const;

export type NamedKind = keyof typeof WHERE;

/** `no image alpine-clud; did you mean alpine-cloud? `apiary images list` shows them; ...` */
export function unknownNameMessage(
  kind: NamedKind,
  typed: string,
  known: Iterable<string>,
): string {
  const near = didYouMean(typed, known);
  return `no ${kind} ${typed}; ${near ? `${near} ` : ''}${WHERE[kind]}`;
}

/** A name the user gave that does not exist: reported with the near names, exit code 1. */
export class UnknownNameError extends Error {}

/**
 * Runs a call that addresses something by the name the user typed; a 404 becomes the
 * `no environment humn; did you mean human?` line, with the known names fetched only then.
 */
export async function orNearName<T>(
  kind: NamedKind,
  typed: string,
  known: () => Promise<Iterable<string>>,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'not_found')) throw error;
    let names: Iterable<string> = [];
    try {
      names = await known();
    } catch {
      // Without the list (no permission to read it) there is no suggestion, only the advice.
    }
    throw new UnknownNameError(unknownNameMessage(kind, typed, names));
  }
}
