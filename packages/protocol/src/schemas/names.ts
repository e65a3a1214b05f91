import { z } from 'zod';

/*
 * Names that end up on an illumos command line (zone names, dataset components, link names)
 * are derived from these. They are deliberately stricter than illumos itself: lowercase DNS-label
 * style, so a derived zone name, dataset and hostname are all valid without escaping and no
 * value can smuggle a `;`, a space, a `/`, `..` or a non-ASCII character onto an argv.
 */

const label = (max: number) => new RegExp(`^[a-z0-9](?:[a-z0-9-]{0,${max - 2}}[a-z0-9])?$`);

/** Environment id, chosen by the user (`my-env`). 1 to 40 characters. */
export const EnvId = z
  .string()
  .regex(label(40), 'must be 1-40 lowercase letters, digits or inner dashes (e.g. my-env)');
export type EnvId = z.infer<typeof EnvId>;

/** VM id: also the zone name on its host, so it stays well under ZONENAME_MAX (64). */
export const VmId = z
  .string()
  .regex(label(48), 'must be 1-48 lowercase letters, digits or inner dashes')
  .refine((s) => s !== 'global', 'global is reserved');
export type VmId = z.infer<typeof VmId>;

/** A human image name (`alpine-cloud`, `omnios-r151054.1`). */
export const ImageName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    'must be 1-63 lowercase letters, digits, dots, dashes or underscores, starting alphanumeric',
  )
  .refine((s) => !s.includes('..'), 'must not contain ..');
export type ImageName = z.infer<typeof ImageName>;

/** Content address of an image blob. */
export const ImageDigest = z
  .string()
  .regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256:<64 lowercase hex>');
export type ImageDigest = z.infer<typeof ImageDigest>;

/** An image reference in a request: a digest, or a name resolved by whoever receives it. */
export const ImageRef = z.union([ImageDigest, ImageName]);
export type ImageRef = z.infer<typeof ImageRef>;

/** Organization, user and key names shown to people. */
export const DisplayName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N} ._@-]+$/u, 'may contain letters, digits, spaces and . _ @ -');

export const Username = z
  .string()
  .regex(/^[a-z][a-z0-9._-]{1,31}$/, 'must be 2-32 characters: lowercase letters, digits, . _ -');

/** `host:port` as given to --listen or stored for an agent (IPv4, hostname or [IPv6]). */
export const HostPort = z
  .string()
  .regex(
    /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/,
    'must be HOST:PORT (e.g. 10.0.0.2:9100 or [::1]:9100)',
  )
  .refine((s) => {
    const port = Number(s.slice(s.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65535;
  }, 'port must be 1-65535');

/** Address to listen on: like HostPort, but port 0 asks the OS for a free port (tests). */
export const ListenAddress = z
  .string()
  .regex(
    /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/,
    'must be HOST:PORT (e.g. 127.0.0.1:9200)',
  )
  .refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, 'port must be 0-65535');

/**
 * A datalink name (dladm(8)): letters, digits, `_` and `.`, starting with a letter and ending
 * with a digit, at most 31 characters (MAXLINKNAMELEN - 1).
 */
export const LinkName = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_.]{0,29}[0-9]$/,
    'must be a datalink name: a letter first, a digit last, at most 31 characters',
  );
export type LinkName = z.infer<typeof LinkName>;
