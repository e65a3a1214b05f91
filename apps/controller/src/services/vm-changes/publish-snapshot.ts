import { type ApiError, ApiError as Err, type ImageDigest } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import type { Principal } from '../auth/principal.js';
import { uploadImage } from '../images/images.js';
import type { SagaRun } from '../sagas/saga-engine.js';
import { agentClientFor } from './agent-step.js';
import type { ChangeInput } from './change-input.js';

/**
 * publish_image: the agent streams `zfs send` of the snapshot's boot disk; the stream goes into
 * the blob store through the same path as an upload (quota, disk floor, size cap, digest), and
 * is recorded as a `zfs-send` image of the VM's organization. Content-addressed, so doing it
 * again after a crash stores nothing twice.
 */
export async function publishSnapshot(
  ctx: Ctx,
  run: SagaRun<ChangeInput>,
  answered: (error: ApiError | null) => void,
): Promise<{ image: string; image_digest: ImageDigest }> {
  const { input } = run;
  const publish = input.publish;
  if (!publish) throw new Err('internal', 'publish_image without its image');
  const client = await agentClientFor(ctx, input.hostId);
  let response: Response;
  try {
    response = (await client.exportSnapshot({
      params: { id: input.vmId, name: publish.snapshot },
    })) as unknown as Response;
  } catch (error) {
    if (error instanceof Err && error.status < 500) answered(error);
    throw error;
  }
  answered(null);
  // The organization's own upload, on behalf of whoever asked (checked when it was accepted).
  const owner: Principal = {
    via: 'api_key',
    role: 'org_admin',
    orgId: input.orgId,
    userId: null,
    apiKeyId: null,
    sessionId: null,
    scopes: null,
  };
  const declared = Number(response.headers.get('content-length') ?? 0);
  const { image } = await uploadImage(
    ctx,
    owner,
    { name: publish.image, format: 'zfs-send' },
    response.body,
    Number.isFinite(declared) ? declared : 0,
  );
  return { image: image.name, image_digest: image.digest };
}
