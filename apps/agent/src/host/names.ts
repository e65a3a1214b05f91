import { z } from 'zod';

/*
 * The illumos grammar for every name the agent puts on an argv, as zod schemas. Host command
 * modules parse their name arguments with these before building argv, so a name that slipped
 * past request validation still never reaches a command line. Deliberately a little stricter
 * than illumos (no spaces in dataset names, which newer ZFS allows).
 */

/** zonename: alphanumeric first, then [A-Za-z0-9_.-], < 64 bytes, not `global`, not `SUNW*`. */
export const ZoneName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'is not a valid zone name')
  .refine((s) => s !== 'global' && !s.startsWith('SUNW'), 'is a reserved zone name');

/** zpool name: starts with a letter; [A-Za-z0-9_.:-]; not a reserved vdev word. */
export const PoolName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.:-]{0,62}$/, 'is not a valid pool name')
  .refine((s) => !/^(mirror|raidz|draid|spare|log|c[0-9])/.test(s), 'is a reserved pool name');

const COMPONENT = '[A-Za-z0-9_:][A-Za-z0-9_.:-]*';

/** A dataset path `pool/a/b` (no snapshot part), each component valid and never `.` or `..`. */
export const DatasetName = z
  .string()
  .max(255)
  .regex(new RegExp(`^[A-Za-z][A-Za-z0-9_.:-]*(?:/${COMPONENT})*$`), 'is not a valid dataset name');

/** `dataset@snap`. */
export const SnapshotName = z
  .string()
  .max(255)
  .regex(
    new RegExp(`^[A-Za-z][A-Za-z0-9_.:-]*(?:/${COMPONENT})*@[A-Za-z0-9_][A-Za-z0-9_.:-]*$`),
    'is not a valid snapshot name',
  );

export { LinkName } from '@apiary/protocol';

/** ipadm address object `IF/name` (name: alphanumeric, first alphabetic, up to 32). */
export const AddrObjName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.]{0,29}[0-9]\/[A-Za-z][A-Za-z0-9]{0,31}$/, 'is not an addrobj');

/** Dotted IPv4 address. */
export const Ipv4 = z
  .string()
  .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/, 'is not an IPv4 address')
  .refine((s) => s.split('.').every((o) => Number(o) <= 255), 'is not an IPv4 address');

/** Parse `value` with `schema`, throwing a plain error naming the argument (a programming bug). */
export function checkName<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new TypeError(`${what} ${JSON.stringify(value)}: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}
