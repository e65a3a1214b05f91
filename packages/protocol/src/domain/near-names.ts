/**
 * "Did you mean ...?" for a name the user typed that does not exist (an image, an environment,
 * a host): the known name closest to it by edit distance, when it is close enough to be a typo
 * rather than a different name. Shared by the CLI and the dashboard.
 */

/**
 * Levenshtein distance (insertions, deletions and substitutions each cost 1), with one row of
 * the table kept at a time.
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        substitution,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * How many edits still look like a typo of a name this long: one for short names (`db` is not a
 * typo of `ui`), then one more per four characters, at most three.
 */
export function typoAllowance(name: string): number {
  return Math.min(3, Math.max(1, Math.floor(name.length / 4)));
}

/**
 * The known names nearest to `typed` (case-insensitively), nearest first, within the typo
 * allowance; an exact match is not a suggestion. At most `limit` of them.
 */
export function nearNames(typed: string, known: Iterable<string>, limit = 3): string[] {
  const wanted = typed.toLowerCase();
  const allowance = typoAllowance(typed);
  const scored = new Map<string, number>();
  for (const name of known) {
    if (name === typed || scored.has(name)) continue;
    const distance = editDistance(wanted, name.toLowerCase());
    if (distance <= allowance) scored.set(name, distance);
  }
  return [...scored]
    .sort(([a, da], [b, db]) => da - db || a.localeCompare(b))
    .slice(0, limit)
    .map(([name]) => name);
}

/** `did you mean alpine-cloud?`, `did you mean web-1 or web-2?`, or null when nothing is near. */
export function didYouMean(typed: string, known: Iterable<string>): string | null {
  const near = nearNames(typed, known);
  if (near.length === 0) return null;
  const last = near.pop() as string;
  return `did you mean ${near.length > 0 ? `${near.join(', ')} or ${last}` : last}?`;
}
