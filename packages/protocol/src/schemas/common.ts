import { z } from 'zod';

/** ISO-8601 timestamps in UTC, as every API response spells them. */
export const Timestamp = z.iso.datetime({ offset: true });
export type Timestamp = z.infer<typeof Timestamp>;

/**
 * `limit` / `offset` as query strings. Defaults follow the Zoneweaver agent (limit 50);
 * limit is capped so a single request cannot ask for an unbounded result.
 */
export const Pagination = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
});
export type Pagination = z.infer<typeof Pagination>;

/** Every list response: the page and the total, so a client can page without guessing. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.int().min(0),
    limit: z.int(),
    offset: z.int(),
  });
}

/** Prefixed ids (`host_...`, `op_...`) so a log line says what it names. */
export function prefixedId<P extends string>(prefix: P) {
  return z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9a-z]{8,40}$`), `must look like ${prefix}_<lowercase base32>`);
}

/** CPU / memory / disk, in vCPUs and MiB. */
export const Resources = z.object({
  cpu: z.int().min(0),
  mem: z.int().min(0),
  disk: z.int().min(0),
});
export type Resources = z.infer<typeof Resources>;

/** Body of a plain acknowledgement (`{ "ok": true }`). */
export const Ok = z.object({ ok: z.literal(true) });
export type Ok = z.infer<typeof Ok>;
