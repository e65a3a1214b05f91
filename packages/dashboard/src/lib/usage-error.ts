import { ApiError } from '@apiary/protocol';
import { errorText } from '../state/toasts.js';

/*
 * What a usage chart says when its stats call failed. The controller answers 503 when the
 * host's agent does not answer (or the host is down) and 502 when it answered wrongly; both
 * mean "ask the host", which is what an operator needs to hear, with the controller's reason.
 */
export function usageErrorText(error: unknown): string {
  if (error instanceof ApiError && (error.status === 502 || error.status === 503)) {
    return `Host not answering: ${error.message}`;
  }
  return `Could not load usage: ${errorText(error)}`;
}
