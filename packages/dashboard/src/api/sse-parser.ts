/** One dispatched server-sent event. `event` defaults to `message`, as in the HTML standard. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

export interface SseParser {
  /** Feed decoded text; complete events are passed to `onEvent` as soon as they end. */
  push(chunk: string): void;
  /** Last `retry:` value the server asked for, in milliseconds. */
  readonly retryMs: number | undefined;
  /** Last event id seen (for reconnecting with `Last-Event-ID`). */
  readonly lastEventId: string | undefined;
}

/**
 * An incremental `text/event-stream` parser (the HTML standard's rules): lines end in CRLF, LF
 * or CR, possibly split across chunks; `:` starts a comment (keep-alives); `data` lines join with
 * a newline; an event is dispatched on a blank line; an event with no data is dropped.
 *
 * We parse the stream ourselves because the browser's EventSource cannot send an Authorization
 * header, and tokens must never travel in a URL.
 */
export function createSseParser(onEvent: (event: SseEvent) => void): SseParser {
  let buffer = '';
  let pendingCr = false;
  let eventType = '';
  let data: string[] = [];
  let hasData = false;
  let lastEventId: string | undefined;
  let retryMs: number | undefined;

  const dispatch = () => {
    if (hasData) onEvent({ event: eventType || 'message', data: data.join('\n'), id: lastEventId });
    eventType = '';
    data = [];
    hasData = false;
  };

  const processLine = (line: string) => {
    if (line === '') return dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') eventType = value;
    else if (field === 'data') {
      data.push(value);
      hasData = true;
    } else if (field === 'id') {
      if (!value.includes('\0')) lastEventId = value;
    } else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
  };

  return {
    push(chunk: string) {
      let text = chunk;
      // A CR at the end of the previous chunk already ended a line: skip its LF partner.
      if (pendingCr && text.startsWith('\n')) text = text.slice(1);
      pendingCr = false;
      buffer += text;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const ch = buffer[i];
        if (ch !== '\n' && ch !== '\r') continue;
        processLine(buffer.slice(start, i));
        if (ch === '\r') {
          if (i + 1 === buffer.length) pendingCr = true;
          else if (buffer[i + 1] === '\n') i++;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
    get retryMs() {
      return retryMs;
    },
    get lastEventId() {
      return lastEventId;
    },
  };
}
