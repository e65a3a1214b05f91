import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';

describe('--console-ticket-ttl-ms', () => {
  it('defaults to 60 s and accepts up to 5 minutes', () => {
    expect(parseConfig(['--data-dir', 'd'], {}).consoleTicketTtlMs).toBe(60_000);
    const five = parseConfig(['--data-dir', 'd', '--console-ticket-ttl-ms', '300000'], {});
    expect(five.consoleTicketTtlMs).toBe(300_000);
  });

  it('refuses a ticket lifetime that would no longer be short', () => {
    const long = () =>
      parseConfig(['--data-dir', 'd'], { APIARY_CONSOLE_TICKET_TTL_MS: String(24 * 3600_000) });
    expect(long).toThrow(ConfigError);
    expect(long).toThrow(/consoleTicketTtlMs/);
  });
});
