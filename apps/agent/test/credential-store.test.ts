import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCredential, saveCredential } from '../src/controller/credential-store.js';

describe('the stored host credential', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('belongs to one controller host and port, whatever the scheme', () => {
    dir = mkdtempSync(join(tmpdir(), 'cred-'));
    saveCredential(dir, 'http://ctl.example:9200', 'aph_secret', 'addr fp');
    expect(statSync(join(dir, 'controller-credential.json')).mode & 0o777).toBe(0o600);
    // HTTPS switched on for the same controller: the host is not locked out.
    expect(loadCredential(dir, 'https://ctl.example:9200')).toEqual({
      credential: 'aph_secret',
      registeredAs: 'addr fp',
    });
    // Never handed to another controller.
    expect(loadCredential(dir, 'https://ctl.example:9201')).toBeNull();
    expect(loadCredential(dir, 'https://other.example:9200')).toBeNull();
  });
});
