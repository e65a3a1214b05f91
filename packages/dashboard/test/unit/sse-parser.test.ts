import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from '../../src/api/sse-parser.js';

function parseAll(chunks: string[]) {
  const events: SseEvent[] = [];
  const parser = createSseParser((e) => events.push(e));
  for (const chunk of chunks) parser.push(chunk);
  return { events, parser };
}

describe('createSseParser', () => {
  it('dispatches a named event with its data on a blank line', () => {
    const { events } = parseAll(['event: host.liveness\ndata: {"id":"host_1"}\n\n']);
    expect(events).toEqual([{ event: 'host.liveness', data: '{"id":"host_1"}', id: undefined }]);
  });

  it('defaults the event name to message and joins data lines with newlines', () => {
    const { events } = parseAll(['data: a\ndata: b\n\n']);
    expect(events).toEqual([{ event: 'message', data: 'a\nb', id: undefined }]);
  });

  it('reassembles events split anywhere across chunks, including inside CRLF', () => {
    const text = 'event: vm.state\r\ndata: {"x":1}\r\n\r\nevent: env.state\r\ndata: 2\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const { events } = parseAll([text.slice(0, cut), text.slice(cut)]);
      expect(events.map((e) => [e.event, e.data])).toEqual([
        ['vm.state', '{"x":1}'],
        ['env.state', '2'],
      ]);
    }
  });

  it('accepts lone CR line endings', () => {
    const { events } = parseAll(['data: one\r\rdata: two\r', '\r']);
    expect(events.map((e) => e.data)).toEqual(['one', 'two']);
  });

  it('ignores comments used as keep-alives and drops events without data', () => {
    const { events } = parseAll([': ping\n\n', 'event: lonely\n\n', ':x\ndata: real\n\n']);
    expect(events.map((e) => e.data)).toEqual(['real']);
  });

  it('keeps the last event id and the retry delay the server asks for', () => {
    const { events, parser } = parseAll(['id: 41\nretry: 2500\ndata: x\n\nretry: soon\n\n']);
    expect(events[0]?.id).toBe('41');
    expect(parser.lastEventId).toBe('41');
    expect(parser.retryMs).toBe(2500);
  });

  it('strips exactly one space after the colon and treats a bare field name as empty', () => {
    const { events } = parseAll(['data:  two spaces\ndata\n\n']);
    expect(events[0]?.data).toBe(' two spaces\n');
  });

  it('does not dispatch an event that has not ended yet', () => {
    const { events } = parseAll(['event: x\ndata: partial']);
    expect(events).toEqual([]);
  });
});
