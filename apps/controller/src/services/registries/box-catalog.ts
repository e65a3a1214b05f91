import { ApiError } from '@apiary/protocol';
import { z } from 'zod';

/*
 * The Vagrant box catalog metadata (what `vagrant box add ORG/BOX` reads from a registry; see
 * docs/images.md for the sources): a box's name and description, its versions, and per version
 * the providers with the URL of the `.box` and its checksum.
 */

const Provider = z.object({
  name: z.string(),
  url: z.string(),
  checksum: z.string().nullish(),
  checksum_type: z.string().nullish(),
  architecture: z.string().nullish(),
});

const Version = z.object({
  version: z.string(),
  /** Vagrant Cloud's API adds a status; only `active` versions are offered. */
  status: z.string().nullish(),
  providers: z.array(Provider).default([]),
});

export const BoxCatalog = z.object({
  name: z.string().nullish(),
  description: z.string().nullish(),
  short_description: z.string().nullish(),
  versions: z.array(Version),
});
export type BoxCatalog = z.infer<typeof BoxCatalog>;
export type BoxProvider = z.infer<typeof Provider>;

/** Providers whose boxes hold a disk Apiary runs: a ZFS stream or a raw disk for bhyve/zones. */
export const RUNNABLE_PROVIDERS = ['bhyve', 'zone'] as const;

/**
 * Orders versions as Vagrant does for the common forms (`1.10.0` after `1.9.2`, `20240601.0`
 * after `20231201.1`): numeric dot-separated parts compared as numbers, others as text.
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = /^\d+$/.test(x) ? Number(x) : Number.NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : Number.NaN;
    const c = !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : x.localeCompare(y);
    if (c !== 0) return c;
  }
  return 0;
}

export function parseCatalog(raw: unknown, where: string): BoxCatalog {
  const parsed = BoxCatalog.safeParse(raw);
  if (!parsed.success) {
    throw new ApiError(
      'upstream_failed',
      `${where} did not answer box metadata (versions[].providers[]): ${parsed.error.issues[0]?.message ?? 'unexpected document'}`,
      { forClient: true },
    );
  }
  return parsed.data;
}

/**
 * The version to pull (the one asked, or the newest) and its provider Apiary runs. Says what the
 * registry has when nothing fits.
 */
export function pickBox(
  catalog: BoxCatalog,
  box: string,
  version: string | undefined,
): { version: string; provider: BoxProvider } {
  const active = catalog.versions.filter((v) => !v.status || v.status === 'active');
  const runnable = (v: (typeof active)[number]) =>
    v.providers.find((p) => (RUNNABLE_PROVIDERS as readonly string[]).includes(p.name));
  if (version) {
    const asked = active.find((v) => v.version === version);
    if (!asked) {
      throw new ApiError(
        'not_found',
        `${box} has no version ${version} (it has ${active.map((v) => v.version).join(', ') || 'none'})`,
      );
    }
    const provider = runnable(asked);
    if (!provider) throw noProvider(box, [asked]);
    return { version: asked.version, provider };
  }
  const sorted = [...active].sort((a, b) => compareVersions(b.version, a.version));
  for (const v of sorted) {
    const provider = runnable(v);
    if (provider) return { version: v.version, provider };
  }
  throw noProvider(box, sorted);
}

function noProvider(box: string, versions: BoxCatalog['versions']): ApiError {
  const offered = [...new Set(versions.flatMap((v) => v.providers.map((p) => p.name)))];
  return new ApiError(
    'validation',
    `${box} has no ${RUNNABLE_PROVIDERS.join(' or ')} box (it offers ${offered.join(', ') || 'no providers'}): Apiary runs bhyve and zone boxes`,
  );
}
