import { describe, expect, it } from 'vitest';
import { consoleSocketUrl } from '../../src/views/consoles/console-url.js';

const ticket = (url: string) => ({ url, ticket: 'ct_abc123', expires_at: '2030-01-01T00:00:00Z' });

describe('consoleSocketUrl', () => {
  it('resolves a path against the page origin with the websocket scheme', () => {
    expect(
      consoleSocketUrl(
        ticket('/v1/vms/web-1-0/console/ws?ticket=ct_abc123'),
        'http://ctl:9200/envs/web-1',
      ),
    ).toBe('ws://ctl:9200/v1/vms/web-1-0/console/ws?ticket=ct_abc123');
  });

  it('uses wss behind https', () => {
    expect(consoleSocketUrl(ticket('/v1/console/ct_abc123'), 'https://apiary.example/')).toBe(
      'wss://apiary.example/v1/console/ct_abc123',
    );
  });

  it('adds the ticket when the URL does not carry it', () => {
    expect(consoleSocketUrl(ticket('/v1/vms/a/console/ws'), 'http://ctl:9200/')).toBe(
      'ws://ctl:9200/v1/vms/a/console/ws?ticket=ct_abc123',
    );
  });

  it('keeps an absolute websocket URL as given', () => {
    expect(consoleSocketUrl(ticket('ws://other:1/x?ticket=ct_abc123'), 'http://ctl:9200/')).toBe(
      'ws://other:1/x?ticket=ct_abc123',
    );
  });
});
