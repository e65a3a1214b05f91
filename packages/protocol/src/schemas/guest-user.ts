import { z } from 'zod';

/**
 * A POSIX user name in a guest, as cloud-init's `default_user` and `users[].name` take it
 * (lowercase, at most 32 characters, the useradd(8) default NAME_REGEX).
 */
export const GuestUserName = z
  .string()
  .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a user name: lowercase letters, digits, _ and -');
export type GuestUserName = z.infer<typeof GuestUserName>;
