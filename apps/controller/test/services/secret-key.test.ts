import { afterEach, describe, expect, it } from 'vitest';
import { createControllerCore } from '../../src/core.js';
import { createHarness, type Harness } from '../helpers/harness.js';

/*
 * Controllers of one database seal agent keys with one key: a controller started with another
 * would be unable to reach agents the others registered. It refuses to start instead.
 */

let h: Harness;
afterEach(async () => h?.close());

describe('the secret key of an installation', () => {
  it('refuses to start a controller whose key differs from the database’s', async () => {
    h = await createHarness();
    const start = (secretKey?: Buffer) =>
      createControllerCore({
        config: h.core.ctx.config,
        database: h.database,
        log: h.core.ctx.log,
        processMetrics: false,
        ...(secretKey ? { secretKey } : {}),
      });
    await expect(start(Buffer.alloc(32, 7))).rejects.toThrow(
      /secret key .* is not the one this database's secrets were sealed with.*--secret-key-file/,
    );
    // The same key file (here: the same data dir) starts.
    const same = await start();
    await same.stop();
  });
});
