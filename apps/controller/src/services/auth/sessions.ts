import { ApiError, type LoginReq, type LoginResp } from '@apiary/protocol';
import { newId } from '@apiary/server-kit';
import { eq, lt } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

import { iso } from '../../lib/clock.js';
import { generatePassword, hashPassword, verifyPassword } from '../../lib/password.js';
import { newSecret } from '../../lib/secrets.js';
import type { LoginThrottle } from './login-throttle.js';
import type { Principal } from './principal.js';
import { toUserView } from './users.js';

/** Compared against when the user does not exist, so both failures take the same time. */
let dummyHash: Promise<string> | undefined;

/**
 * `POST /v1/auth/login`. Attempts are throttled per username and per source address before any
 * password is checked (429 with Retry-After), unknown usernames alike, so the answer says
 * nothing about which users exist.
 */
export async function login(
  ctx: Ctx,
  input: LoginReq,
  guard: { throttle: LoginThrottle; address: string | undefined },
): Promise<LoginResp> {
  const { sessions, users } = ctx.t;
  const attempt = guard.throttle.begin(input.username, guard.address);
  const user = (await ctx.db.select().from(users).where(eq(users.username, input.username)))[0];
  dummyHash ??= hashPassword(generatePassword());
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash));
  if (!user || !ok || user.disabled) {
    throw new ApiError('unauthenticated', 'wrong username or password');
  }
  attempt.succeeded();
  const now = ctx.clock.now();
  const token = newSecret('aps');
  const expiresAt = now + ctx.config.sessionTtlMs;
  await ctx.db.transaction(async (tx) => {
    await tx.delete(sessions).where(lt(sessions.expiresAt, now));
    await tx.insert(sessions).values({
      id: newId('sess'),
      prefix: token.prefix,
      tokenHash: token.hash,
      userId: user.id,
      createdAt: now,
      expiresAt,
    });
  });
  return { token: token.secret, expires_at: iso(expiresAt), user: toUserView(user) };
}

export async function logout(ctx: Ctx, p: Principal) {
  const { sessions } = ctx.t;
  if (!p.sessionId)
    throw new ApiError('validation', 'logout ends a session; API keys are revoked instead');
  await ctx.db.delete(sessions).where(eq(sessions.id, p.sessionId));
  return { ok: true as const };
}
