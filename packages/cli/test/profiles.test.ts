import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProfiles, resolveTarget, writeProfiles } from '../src/lib/profiles.js';
import { tempDir } from './fixtures.js';

const profile = { url: 'http://ctl:9200', token: 'apy_secret', kind: 'api_key' as const };

describe('profiles', () => {
  it('writes the credentials file with mode 0600 in a 0700 directory', () => {
    const path = join(tempDir(), 'apiary', 'config.json');
    writeProfiles(path, { current: 'default', profiles: { default: profile } });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    expect(readProfiles(path).profiles.default?.token).toBe('apy_secret');
  });

  it('lets APIARY_URL and APIARY_API_KEY override the profile', () => {
    const file = { current: 'default', profiles: { default: profile } };
    const target = resolveTarget(
      { APIARY_URL: 'http://other:1', APIARY_API_KEY: 'apy_env' },
      file,
      {},
    );
    expect(target).toMatchObject({
      url: 'http://other:1',
      token: 'apy_env',
      source: 'environment',
    });
  });

  it('uses the current profile when the environment says nothing', () => {
    const target = resolveTarget({}, { current: 'default', profiles: { default: profile } }, {});
    expect(target).toMatchObject({
      url: 'http://ctl:9200',
      token: 'apy_secret',
      source: 'profile',
    });
  });

  it('refuses an unknown --profile', () => {
    expect(() => resolveTarget({}, { current: null, profiles: {} }, { profile: 'nope' })).toThrow(
      /no profile named nope/,
    );
  });

  it('falls back to the local controller when nothing is configured', () => {
    expect(resolveTarget({}, { current: null, profiles: {} }, {}).url).toBe(
      'http://127.0.0.1:9200',
    );
  });
});
