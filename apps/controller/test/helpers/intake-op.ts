import type { Image, ImageOperationAccepted, VmOperation } from '@apiary/protocol';
import { expect } from 'vitest';
import type { Harness } from './harness.js';

/** `GET /v1/operations/{id}` as the harness's admin. */
export async function getOperation(h: Harness, id: string): Promise<VmOperation> {
  const res = await h.req('GET', `/v1/operations/${id}`);
  if (res.status !== 200) throw new Error(`operation ${id}: ${res.status} ${await res.text()}`);
  return (await res.json()) as VmOperation;
}

/** Polls the operation until it settles; every poll is handed to `seen` (progress checks). */
export async function settle(
  h: Harness,
  id: string,
  seen?: (op: VmOperation) => void,
  timeoutMs = 30_000,
): Promise<VmOperation> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const op = await getOperation(h, id);
    seen?.(op);
    if (op.state === 'succeeded' || op.state === 'failed') return op;
    if (Date.now() > deadline) throw new Error(`operation ${id} still ${op.state}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A fetch or pull answered 202: follows its operation to the end. On success, the image its
 * result names; on failure, the operation's error.
 */
export async function intakeOutcome(
  h: Harness,
  res: Response,
): Promise<{ op: VmOperation; image: Image | null }> {
  expect(res.status, await res.clone().text()).toBe(202);
  const { operation } = (await res.json()) as ImageOperationAccepted;
  expect(operation.vm_id).toBeNull();
  const op = await settle(h, operation.id);
  if (op.state !== 'succeeded') return { op, image: null };
  const digest = op.result?.image_digest;
  const got = await h.req('GET', `/v1/images/${digest}`);
  expect(got.status).toBe(200);
  return { op, image: (await got.json()) as Image };
}
