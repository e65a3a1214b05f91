import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ApiError,
  type FailureInfo,
  type FetchImageReq,
  type Image,
  type ImageOperationKind,
  type PullBoxReq,
} from '@apiary/protocol';
import { StepFailure } from '@apiary/server-kit';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../../context.js';
import type { Principal } from '../../auth/principal.js';
import type { SagaKind, SagaRun } from '../../sagas/saga-engine.js';
import { fetchImage } from '../intake/fetch-image.js';
import { pullBox } from '../intake/pull-box.js';
import { stagingRoot } from '../intake/staging.js';
import { IntakeProgressWriter } from './intake-progress.js';

/**
 * What an intake operation needs to run, recorded with its saga (JSON): who asked (their role
 * and organization decide where the image goes; no session, no secret) and the request as
 * validated. A registry's token is not here: the run opens it from the registry's row.
 */
export interface IntakeInput extends Record<string, unknown> {
  kind: ImageOperationKind;
  actor: Principal;
  fetch?: FetchImageReq;
  pull?: PullBoxReq;
}

type Run = SagaRun<IntakeInput>;

/** The failure as recorded: the code and message of what refused, unprefixed. */
function failureOf(error: unknown): FailureInfo {
  const cause = error instanceof StepFailure ? error.cause : error;
  if (cause instanceof ApiError) return { code: cause.code, msg: cause.message };
  return { code: 'internal', msg: (cause as Error)?.message ?? String(cause) };
}

/**
 * The saga kinds `fetch_image` and `pull_box` (issue 16): one step, `intake`, that downloads
 * (resumed with Range after a dropped connection), verifies, unpacks or converts, and stores,
 * recording its phase and bytes on the operation. It stages in `DATA_DIR/staging/<saga id>/`,
 * removed when the step ends however it ends, so a failure leaves no file and (storeImage's
 * rule) no blob or record. A controller that stops mid-download hands the saga back; the one
 * that adopts it (this one restarted, or another) runs the step again from the start, clearing
 * what the stopped run left in that directory.
 */
export function createIntakeKinds(ctx: Ctx): SagaKind<IntakeInput>[] {
  const intake = {
    name: 'intake',
    run: async (run: Run) => {
      const progress = new IntakeProgressWriter(ctx, run.id);
      const how = { signal: run.signal, progress, stagingName: run.id };
      const { input } = run;
      let image: Image;
      try {
        if (input.kind === 'fetch_image' && input.fetch) {
          image = (await fetchImage(ctx, input.actor, input.fetch, how)).image;
        } else if (input.kind === 'pull_box' && input.pull) {
          image = (await pullBox(ctx, input.actor, input.pull, how)).image;
        } else {
          throw new Error(`intake operation ${run.id} has no request`);
        }
      } finally {
        await progress.flush();
      }
      await ctx.db
        .update(ctx.t.sagas)
        .set({ result: { image: image.name, image_digest: image.digest } })
        .where(eq(ctx.t.sagas.id, run.id));
    },
    // The step cleans up after itself; this covers a run cut short by a crash.
    undo: (run: Run) => rm(join(stagingRoot(ctx), run.id), { recursive: true, force: true }),
  };
  return (['fetch_image', 'pull_box'] as const).map((kind) => ({
    kind,
    steps: [intake],
    failure: failureOf,
  }));
}
