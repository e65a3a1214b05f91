import { lstatSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkSharedImageStore, shareSecretKey } from '../src/installation-sharing.js';
import { tempDir } from '../src/test-temp.js';

describe('what the controllers of one installation share', () => {
  it("gives a joining controller the first one's secret key, readable by its user only", () => {
    const dir = tempDir('sharing');
    const first = join(dir, 'controller-1');
    mkdirSync(first);
    writeFileSync(join(first, 'secret.key'), 'a2V5LW9uZQ==');
    shareSecretKey(first, join(dir, 'controller-2'));
    const copy = join(dir, 'controller-2', 'secret.key');
    expect(readFileSync(copy, 'utf8')).toBe('a2V5LW9uZQ==');
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    // Again (a restart): the same key is fine.
    expect(() => shareSecretKey(first, join(dir, 'controller-2'))).not.toThrow();
  });

  it('refuses a joining controller that already has a key of its own', () => {
    const dir = tempDir('sharing');
    for (const [name, key] of [
      ['controller-1', 'a2V5LW9uZQ=='],
      ['controller-2', 'a2V5LXR3bw=='],
    ] as const) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'secret.key'), key);
    }
    expect(() => shareSecretKey(join(dir, 'controller-1'), join(dir, 'controller-2'))).toThrow(
      /need the same secret key/,
    );
  });

  it("links each controller's image store to the shared one, and leaves a store of its own alone", () => {
    const dir = tempDir('sharing');
    const shared = join(dir, 'images');
    linkSharedImageStore(join(dir, 'controller-1'), shared);
    const images = join(dir, 'controller-1', 'images');
    expect(lstatSync(images).isSymbolicLink()).toBe(true);
    expect(realpathSync(images)).toBe(realpathSync(shared));
    mkdirSync(join(dir, 'controller-2', 'images'), { recursive: true });
    linkSharedImageStore(join(dir, 'controller-2'), shared);
    expect(lstatSync(join(dir, 'controller-2', 'images')).isDirectory()).toBe(true);
  });
});
