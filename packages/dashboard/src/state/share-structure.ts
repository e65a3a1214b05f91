/**
 * Structural sharing for API answers: returns `next`, except that every part of it equal to
 * the matching part of `prev` is `prev`'s own object. A refetched list of 1,000 hosts in which
 * one host changed then differs from the previous answer in that host (and the containers
 * above it) only, so memoised rows compare their props by identity and only the changed row
 * renders again. Array elements carrying a string `id` are matched by id, so a row that moved
 * in the list is still recognised; others are matched by position.
 */
export function shareStructure<T>(prev: unknown, next: T): T {
  if (prev === next) return next;
  if (Array.isArray(prev) && Array.isArray(next)) return shareArray(prev, next) as T;
  if (isPlainObject(prev) && isPlainObject(next)) return shareObject(prev, next) as T;
  return next;
}

function shareArray(prev: unknown[], next: unknown[]): unknown[] {
  const byId = new Map<string, unknown>();
  for (const item of prev) {
    const id = idOf(item);
    if (id !== undefined) byId.set(id, item);
  }
  let same = prev.length === next.length;
  const out = next.map((item, i) => {
    const id = idOf(item);
    const match =
      id !== undefined ? byId.get(id) : idOf(prev[i]) === undefined ? prev[i] : undefined;
    const shared = match === undefined ? item : shareStructure(match, item);
    if (shared !== prev[i]) same = false;
    return shared;
  });
  return same ? prev : out;
}

function shareObject(
  prev: Record<string, unknown>,
  next: Record<string, unknown>,
): Record<string, unknown> {
  const keys = Object.keys(next);
  let same = keys.length === Object.keys(prev).length;
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const shared = Object.hasOwn(prev, key) ? shareStructure(prev[key], next[key]) : next[key];
    if (shared !== prev[key]) same = false;
    out[key] = shared;
  }
  return same ? prev : out;
}

function idOf(value: unknown): string | undefined {
  if (!isPlainObject(value)) return undefined;
  return typeof value.id === 'string' ? value.id : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
