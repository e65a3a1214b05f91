import { describe, expect, it } from 'vitest';
import { EnvId, HostPort, ImageDigest, ImageName, VmId } from '../src/index.js';

const hostile = [
  '',
  'a;rm -rf /',
  'has space',
  '../etc',
  'a/b',
  'UPPER',
  '-leading',
  'trailing-',
  'ünïcode',
  'x'.repeat(41),
  'tab\there',
  'new\nline',
  '$(id)',
];

describe('EnvId', () => {
  it.each(['my-env', 'a', 'env-1', 'x'.repeat(40)])('accepts %s', (id) => {
    expect(EnvId.safeParse(id).success).toBe(true);
  });
  it.each(hostile)('rejects %j', (id) => {
    expect(EnvId.safeParse(id).success).toBe(false);
  });
});

describe('VmId', () => {
  it('accepts ids derived from an env id', () => {
    expect(VmId.parse('my-env-0')).toBe('my-env-0');
  });
  it('rejects the reserved global zone name', () => {
    expect(VmId.safeParse('global').success).toBe(false);
  });
  it('rejects ids longer than 48 characters', () => {
    expect(VmId.safeParse('a'.repeat(49)).success).toBe(false);
  });
});

describe('ImageName and ImageDigest', () => {
  it('accepts seed image names', () => {
    expect(ImageName.parse('alpine-cloud')).toBe('alpine-cloud');
    expect(ImageName.parse('omnios-r151054.1')).toBe('omnios-r151054.1');
  });
  it('rejects path traversal in image names', () => {
    expect(ImageName.safeParse('a..b').success).toBe(false);
    expect(ImageName.safeParse('a/b').success).toBe(false);
  });
  it('accepts only sha256 digests of 64 lowercase hex digits', () => {
    expect(ImageDigest.safeParse(`sha256:${'a'.repeat(64)}`).success).toBe(true);
    expect(ImageDigest.safeParse(`sha256:${'A'.repeat(64)}`).success).toBe(false);
    expect(ImageDigest.safeParse(`md5:${'a'.repeat(32)}`).success).toBe(false);
  });
});

describe('HostPort', () => {
  it.each(['127.0.0.1:9200', 'agent-1.lan:9100', '[::1]:9100'])('accepts %s', (v) => {
    expect(HostPort.safeParse(v).success).toBe(true);
  });
  it.each(['127.0.0.1', ':9100', 'host:0', 'host:65536', 'a b:1'])('rejects %s', (v) => {
    expect(HostPort.safeParse(v).success).toBe(false);
  });
});
