import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';

describe('parseConfig', () => {
  it('takes flags over APIARY_* environment variables', () => {
    const c = parseConfig(['--listen', '0.0.0.0:9300', '--placement', 'binpack'], {
      APIARY_DATA_DIR: '/var/lib/apiary',
      APIARY_LISTEN: '127.0.0.1:1',
      APIARY_PLACEMENT: 'spread',
    });
    expect(c.listen).toBe('0.0.0.0:9300');
    expect(c.dataDir).toBe('/var/lib/apiary');
    expect(c.placement).toBe('binpack');
  });

  it('keeps the localhost bypass off unless asked for', () => {
    expect(parseConfig(['--data-dir', 'd'], {}).localhostBypass).toBe(false);
    expect(parseConfig(['--data-dir', 'd', '--localhost-bypass'], {}).localhostBypass).toBe(true);
    expect(
      parseConfig(['--data-dir', 'd'], { APIARY_LOCALHOST_BYPASS: 'true' }).localhostBypass,
    ).toBe(true);
  });

  it('parses the CORS allow-list and the engine map', () => {
    const c = parseConfig(
      [
        '--data-dir',
        'd',
        '--cors-origin',
        'https://a.example, https://b.example:8443',
        '--engine-map',
        'qemu=bhyve,jail=bhyve',
      ],
      {},
    );
    expect(c.corsOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(c.engineMap).toEqual({ qemu: 'bhyve', jail: 'bhyve' });
    expect(parseConfig(['--data-dir', 'd'], {}).engineMap).toEqual({ qemu: 'bhyve' });
  });

  it('refuses a missing data dir, unknown flags and bad values with readable messages', () => {
    expect(() => parseConfig([], {})).toThrow(/dataDir: is required/);
    expect(() => parseConfig(['--data-dir', 'd', '--bogus'], {})).toThrow(ConfigError);
    expect(() => parseConfig(['--data-dir', 'd', '--placement', 'random'], {})).toThrow(
      /placement/,
    );
    expect(() => parseConfig(['--data-dir', 'd', '--listen', 'nope'], {})).toThrow(/HOST:PORT/);
    expect(() => parseConfig(['--data-dir', 'd', '--engine-map', 'qemu=vmware'], {})).toThrow(
      /engine mapping/,
    );
  });

  it('accepts port 0 so tests and benchmarks can ask for a free port', () => {
    expect(parseConfig(['--data-dir', 'd', '--listen', '127.0.0.1:0'], {}).listen).toBe(
      '127.0.0.1:0',
    );
  });
});
