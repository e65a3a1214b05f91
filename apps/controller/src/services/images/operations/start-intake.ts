import type { FetchImageReq, ImageOperationAccepted, PullBoxReq } from '@apiary/protocol';
import { checkAgentTarget } from '../../../agents/agent-target.js';
import type { Ctx } from '../../../context.js';
import type { Principal } from '../../auth/principal.js';
import { operationView } from '../../vm-changes/operation-view.js';
import { intakeOrg } from '../images.js';
import { chooseBox } from '../intake/pull-box.js';
import type { IntakeInput } from './intake-kinds.js';

/** Who asked, as the operation records it: no session id (the run needs the role, not it). */
function actorOf(p: Principal): Principal {
  return { ...p, sessionId: null };
}

/**
 * One intake at a time per image name in an organization: a second fetch into the same name
 * while one runs is 409 (the saga engine's one-per-resource index).
 */
function resourceOf(orgId: string | null, name: string): string {
  return `image:${orgId ?? 'public'}:${name}`;
}

/**
 * `POST /v1/images/fetch`: what can be refused at once is (role, a URL the target policy
 * refuses); the download, conversion and storing run as an operation, answered 202.
 */
export async function startFetchImage(
  ctx: Ctx,
  p: Principal,
  req: FetchImageReq,
): Promise<ImageOperationAccepted> {
  const orgId = await intakeOrg(ctx, p, { name: req.name, public: req.public });
  await checkAgentTarget(req.url, ctx.targets);
  const input: IntakeInput = { kind: 'fetch_image', actor: actorOf(p), fetch: req };
  const id = await ctx.sagas.start('fetch_image', resourceOf(orgId, req.name), input, {
    columns: { orgId },
  });
  ctx.log.info({ operation_id: id, name: req.name }, 'image fetch accepted');
  return { operation: await operationView(ctx, id) };
}

/**
 * `POST /v1/images/pull-box`: the registry, its catalog and the version are settled before
 * answering (an unknown registry or box, no runnable provider: the request's 4xx); the
 * download onwards runs as an operation, answered 202. The run reads the catalog again: what
 * it records is what it downloaded.
 */
export async function startPullBox(
  ctx: Ctx,
  p: Principal,
  req: PullBoxReq,
): Promise<ImageOperationAccepted> {
  const { orgId, intake, version, boxUrl } = await chooseBox(ctx, p, req);
  await checkAgentTarget(boxUrl.href, ctx.targets);
  // The version chosen now is the one pulled, even if a newer one appears meanwhile.
  const pull: PullBoxReq = { ...req, version };
  const input: IntakeInput = { kind: 'pull_box', actor: actorOf(p), pull };
  const id = await ctx.sagas.start('pull_box', resourceOf(orgId, intake.name), input, {
    columns: { orgId },
  });
  ctx.log.info({ operation_id: id, box: req.box, version }, 'box pull accepted');
  return { operation: await operationView(ctx, id) };
}
