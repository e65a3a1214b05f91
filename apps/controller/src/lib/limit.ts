/**
 * Runs `fn` over `items` with at most `parallelism` calls in flight; results keep their order.
 * If a call throws, no new call starts, the running ones finish, then the first error is thrown:
 * nothing keeps running behind the caller's back.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  parallelism: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(
    Array.from({ length: Math.min(parallelism, items.length) }, worker),
  );
  const rejected = settled.find((s) => s.status === 'rejected');
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
  return results;
}
