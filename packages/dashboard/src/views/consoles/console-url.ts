import type { ConsoleTicket } from '@apiary/protocol';
import type { z } from 'zod';

/**
 * The websocket URL for a console ticket. The controller returns a path (or a URL) on itself
 * with the single-use ticket in it; we resolve it against the page's origin and switch the
 * scheme to ws(s). The ticket is added only if the URL does not carry it already. No API key or
 * session token ever goes into this URL.
 */
export function consoleSocketUrl(ticket: z.infer<typeof ConsoleTicket>, pageUrl: string): string {
  const url = new URL(ticket.url, pageUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (!url.href.includes(encodeURIComponent(ticket.ticket)) && !url.href.includes(ticket.ticket)) {
    url.searchParams.set('ticket', ticket.ticket);
  }
  return url.href;
}
