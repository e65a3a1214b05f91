import type { RegistryBox } from '@apiary/protocol';
import { ApiError } from '@apiary/protocol';
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import { fetchJson } from '../images/intake/outbound-fetch.js';
import { type BoxCatalog, parseCatalog } from './box-catalog.js';
import type { RegistryTarget } from './registries.js';
import { REGISTRY_USER_AGENT } from './registry-agent.js';

/** Metadata documents are small: a registry answering megabytes is not answering metadata. */
const METADATA_MAX_BYTES = 4 * 1024 * 1024;

function limits(ctx: Ctx, registry: RegistryTarget) {
  return {
    policy: ctx.targets,
    maxBytes: METADATA_MAX_BYTES,
    timeoutMs: ctx.config.registryTimeoutMs,
    headers: {
      'user-agent': REGISTRY_USER_AGENT,
      ...(registry.token ? { authorization: `Bearer ${registry.token}` } : {}),
    },
  };
}

/**
 * A box's catalog metadata: `GET {registry}/{ORG}/{BOX}` with `Accept: application/json`, the
 * request Vagrant makes for `vagrant box add ORG/BOX` against a box server URL
 * (VAGRANT_SERVER_URL), which Vagrant-compatible registries answer.
 */
export async function fetchCatalog(
  ctx: Ctx,
  registry: RegistryTarget,
  box: string,
): Promise<BoxCatalog> {
  const [org, name] = box.split('/') as [string, string];
  const url = `${registry.url}/${encodeURIComponent(org)}/${encodeURIComponent(name)}`;
  return parseCatalog(await fetchJson(url, limits(ctx, registry)), new URL(url).host);
}

/** Vagrant Cloud API v2 search (`GET /api/v2/search?q=`): `{ boxes: [...] }`. */
const SearchAnswer = z.object({
  boxes: z.array(
    z.object({
      tag: z.string(),
      short_description: z.string().nullish(),
      description: z.string().nullish(),
      versions: z
        .array(
          z.object({
            version: z.string(),
            providers: z.array(z.object({ name: z.string() })).default([]),
          }),
        )
        .default([]),
      current_version: z
        .object({
          version: z.string(),
          providers: z.array(z.object({ name: z.string() })).default([]),
        })
        .nullish(),
    }),
  ),
});

export async function searchBoxes(
  ctx: Ctx,
  registry: RegistryTarget,
  q: string | undefined,
): Promise<RegistryBox[]> {
  const url = new URL(`${registry.url}/api/v2/search`);
  if (q) url.searchParams.set('q', q);
  const parsed = SearchAnswer.safeParse(await fetchJson(url.href, limits(ctx, registry)));
  if (!parsed.success) {
    throw new ApiError(
      'upstream_failed',
      `${url.host} did not answer a box search (boxes[].tag): ${parsed.error.issues[0]?.message}`,
      { forClient: true },
    );
  }
  return parsed.data.boxes.map((b) => {
    const versions =
      b.versions.length > 0 ? b.versions : b.current_version ? [b.current_version] : [];
    return {
      name: b.tag,
      description: b.short_description ?? b.description ?? null,
      versions: versions.map((v) => ({
        version: v.version,
        providers: v.providers.map((p) => p.name),
      })),
    };
  });
}
