import { ApiError, TransferToken } from '@apiary/protocol';
import type { Db } from '../db/open.js';
import { authenticateKey, type KeyPrincipal } from '../http/key-auth.js';
import { getImport, tokenMatches } from './import-store.js';

/** The caller of a `transfer` route: the import's own token, or an operator's key. */
export type TransferPrincipal = { importId: string } | KeyPrincipal;

/**
 * `Authorization: Bearer tt_...` for the import named in the path, while that import is open
 * and its token has not expired (the same answer for a wrong, expired or spent token, so the
 * refusal tells nothing about which imports exist). An agent key with the operator role may
 * call these routes too (the controller reading an import).
 */
export function authenticateTransfer(
  db: Db,
  authorization: string | undefined,
  importId: string | undefined,
  now = Date.now(),
): TransferPrincipal {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (match?.[1]?.startsWith('wh_')) return authenticateKey(db, authorization, 'operator');
  if (!match) throw new ApiError('unauthenticated', 'missing bearer transfer token');
  const token = TransferToken.safeParse(match[1]);
  const row = importId ? getImport(db, importId) : undefined;
  const valid =
    token.success && row && tokenMatches(row, token.data) && Date.parse(row.expiresAt) > now;
  if (!valid) throw new ApiError('unauthenticated', 'invalid or expired transfer token');
  return { importId: row.id };
}
