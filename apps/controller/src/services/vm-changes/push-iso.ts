import type { AgentClient } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import { pushDigestIfNeeded } from '../envs/push-image.js';
import type { ChangeInput } from './change-input.js';

/** attach_cdrom: a host added by address cannot pull the ISO from us, so it is pushed first. */
export async function pushIsoIfNeeded(
  ctx: Ctx,
  client: AgentClient,
  input: ChangeInput,
): Promise<void> {
  if (input.kind !== 'attach_cdrom') return;
  const digest = (input.call.body as { image: string }).image;
  await pushDigestIfNeeded(ctx, client, input.hostId, digest);
}
