import type { ControllerClient, CreateEnvReqInput, Image } from '@apiary/protocol';
import { UnknownNameError, unknownNameMessage } from './near-name.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * The image a name picks, as the controller picks it for `envs create --image NAME`: the
 * newest upload of that name, the caller's organization's before public ones. `images` is
 * what the caller may see (its organization's and the public ones).
 */
export function pickImageByName(
  images: Image[],
  name: string,
  orgId: string | null,
): Image | undefined {
  const named = images
    .filter((i) => i.name === name)
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  return named.find((i) => orgId !== null && i.org_id === orgId) ?? named[0];
}

/** `images show NAME|DIGEST`: a digest as it is, a name resolved like the controller does. */
export async function resolveImage(client: ControllerClient, ref: string): Promise<Image> {
  if (DIGEST.test(ref)) return client.getImage({ params: { digest: ref } });
  const [page, who] = await Promise.all([
    client.listImages({ query: { limit: 1000 } }),
    client.whoami(),
  ]);
  const image = pickImageByName(page.items, ref, who.org?.id ?? null);
  if (!image) {
    throw new UnknownNameError(
      unknownNameMessage(
        'image',
        ref,
        page.items.map((i) => i.name),
      ),
    );
  }
  return image;
}

/**
 * `envs create` with an image (or ISO) name nobody uploaded: the controller refuses it in API
 * terms; the user is told the near names and how to add one instead. Other failures pass.
 */
export async function withUnknownImages<T>(
  client: ControllerClient,
  request: CreateEnvReqInput,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const named = (request.vms ?? [])
      .flatMap((vm) => [vm.image, vm.boot_iso])
      .filter((ref): ref is string => typeof ref === 'string' && !DIGEST.test(ref));
    if (named.length === 0) throw error;
    let known: string[];
    try {
      known = (await client.listImages({ query: { limit: 1000 } })).items.map((i) => i.name);
    } catch {
      throw error;
    }
    const missing = named.find((ref) => !known.includes(ref));
    if (missing === undefined) throw error;
    throw new UnknownNameError(unknownNameMessage('image', missing, known));
  }
}
