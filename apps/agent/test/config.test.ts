import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.js';

const base = ['--data-dir', '/var/apiary/agent'];

describe('parseConfig', () => {
  it('applies defaults for a real host', () => {
    const config = parseConfig(base, {});
    expect(config).toMatchObject({
      listen: '127.0.0.1:9100',
      dataDir: '/var/apiary/agent',
      illumosBin: null,
      hostRoot: '/',
      storage: 'zvol',
      pool: 'rpool',
      portRange: [40000, 49999],
      natSubnet: '10.213.0.0/16',
      externalLink: 'e1000g0',
      pfexec: false,
      controllers: null,
    });
  });

  it('lets flags override APIARY_* variables', () => {
    const config = parseConfig([...base, '--pool', 'tank'], {
      APIARY_POOL: 'data',
      APIARY_LISTEN: '0.0.0.0:9101',
    });
    expect(config.pool).toBe('tank');
    expect(config.listen).toBe('0.0.0.0:9101');
  });

  it('accepts the storage aliases zfs and raw', () => {
    expect(parseConfig([...base, '--storage', 'zfs'], {}).storage).toBe('zvol');
    expect(parseConfig([...base, '--storage', 'raw'], {}).storage).toBe('file');
  });

  it('points host commands and the host root at the simulator under --sim', () => {
    const config = parseConfig([...base, '--sim', '/tmp/simhost'], {}, () => '/opt/sim/bin');
    expect(config.illumosBin).toBe('/opt/sim/bin');
    expect(config.hostRoot).toBe('/tmp/simhost/root');
    expect(config.commandEnv.ILLUMOS_SIM_ROOT).toBe('/tmp/simhost');
    expect(config.simDir).toBe('/tmp/simhost');
  });

  it('keeps an explicit --illumos-bin under --sim', () => {
    const config = parseConfig(
      [...base, '--sim', '/tmp/s', '--illumos-bin', '/x/bin'],
      {},
      () => '/opt/sim/bin',
    );
    expect(config.illumosBin).toBe('/x/bin');
  });

  it('waits 1 s after a boot by default, and takes --boot-settle-ms', () => {
    expect(parseConfig(base, {}).bootSettleMs).toBe(1000);
    expect(parseConfig([...base, '--boot-settle-ms', '250'], {}).bootSettleMs).toBe(250);
    expect(parseConfig(base, { APIARY_BOOT_SETTLE_MS: '0' }).bootSettleMs).toBe(0);
    expect(() => parseConfig([...base, '--boot-settle-ms', 'soon'], {})).toThrow(
      /--boot-settle-ms/,
    );
    expect(() => parseConfig([...base, '--boot-settle-ms', '600000'], {})).toThrow(
      /--boot-settle-ms/,
    );
  });

  it('samples usage every 10 s by default, takes --stats-interval (0 = off, at most 60)', () => {
    expect(parseConfig(base, {}).statsInterval).toBe(10);
    expect(parseConfig([...base, '--stats-interval', '0'], {}).statsInterval).toBe(0);
    expect(parseConfig(base, { APIARY_STATS_INTERVAL: '5' }).statsInterval).toBe(5);
    expect(() => parseConfig([...base, '--stats-interval', '61'], {})).toThrow(/--stats-interval/);
  });

  it('requires a data dir', () => {
    expect(() => parseConfig([], {})).toThrow(ConfigError);
  });

  it('names the flag in validation errors', () => {
    expect(() => parseConfig([...base, '--port-range', '10-5'], {})).toThrow(/--port-range/);
    expect(() => parseConfig([...base, '--nat-subnet', '10.0.0.0'], {})).toThrow(/--nat-subnet/);
    expect(() => parseConfig([...base, '--external-link', 'eth0;rm'], {})).toThrow(
      /--external-link/,
    );
    expect(() => parseConfig([...base, '--pool', 'bad pool'], {})).toThrow(/--pool/);
    expect(() => parseConfig([...base, '--listen', 'nope'], {})).toThrow(/--listen/);
  });

  it('refuses unknown flags', () => {
    expect(() => parseConfig([...base, '--fake-mode'], {})).toThrow(ConfigError);
  });

  it('needs a license key file to talk to a controller', () => {
    expect(() => parseConfig([...base, '--controller', 'https://c:9200'], {})).toThrow(
      /license-key-file/,
    );
    const config = parseConfig(
      [...base, '--controller', 'https://c:9200', '--license-key-file', '/etc/k'],
      {},
    );
    expect(config.controllers).toEqual(['https://c:9200']);
  });

  it('takes several controllers of one installation, each held to the same rules', () => {
    const link = ['--license-key-file', '/etc/k'];
    const config = parseConfig(
      [...base, ...link, '--controller', 'https://c1:9200, https://c2:9200'],
      {},
    );
    expect(config.controllers).toEqual(['https://c1:9200', 'https://c2:9200']);
    expect(() =>
      parseConfig([...base, ...link, '--controller', 'https://c1:9200,http://c2:9200'], {}),
    ).toThrow(/refusing --controller http:\/\/c2:9200/);
    expect(() =>
      parseConfig([...base, ...link, '--controller', 'https://c1:9200,nope'], {}),
    ).toThrow();
  });

  it('refuses a plain HTTP controller off loopback unless --insecure-http is given', () => {
    const link = ['--license-key-file', '/etc/k'];
    expect(() => parseConfig([...base, ...link, '--controller', 'http://c:9200'], {})).toThrow(
      /refusing --controller http:\/\/c:9200: plain HTTP off loopback/,
    );
    expect(
      parseConfig([...base, ...link, '--controller', 'http://127.0.0.1:9200'], {}).controllers,
    ).toEqual(['http://127.0.0.1:9200']);
    expect(
      parseConfig([...base, ...link, '--controller', 'http://c:9200', '--insecure-http'], {})
        .insecureHttp,
    ).toBe(true);
  });

  it('takes the controller pin as pasted, and one trust at a time', () => {
    const link = ['--controller', 'https://c:9200', '--license-key-file', '/etc/k'];
    const hex = 'ab'.repeat(32);
    const pasted = `SHA256 Fingerprint=${hex.toUpperCase().match(/../g)?.join(':')}`;
    const config = parseConfig([...base, ...link, '--controller-fingerprint', pasted], {});
    expect(config.controllerFingerprint).toBe(`sha256:${hex}`);
    expect(() =>
      parseConfig([...base, ...link, '--controller-fingerprint', 'sha256:abc'], {}),
    ).toThrow(/--controller-fingerprint.*64 hex digits/);
    expect(() =>
      parseConfig(
        [...base, ...link, '--controller-fingerprint', pasted, '--controller-ca', '/etc/ca.pem'],
        {},
      ),
    ).toThrow(/not both/);
  });

  it('passes only PATH and LANG (and the sim root) to host commands', () => {
    const config = parseConfig(base, { PATH: '/usr/bin', LANG: 'C', SECRET_TOKEN: 'x' });
    expect(config.commandEnv).toEqual({ PATH: '/usr/bin', LANG: 'C' });
  });
});
