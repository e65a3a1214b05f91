import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ControllerConfig } from '../../src/config.js';
import { startS3Server } from './s3-server.js';

/** The blob stores every image test runs against. */
export const STORE_KINDS = ['dir', 's3'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface StoreUnderTest {
  /** Controller settings choosing this store (none: the default directory). */
  config: Partial<ControllerConfig>;
  /** The names the store holds (blobs and leftovers), given the harness's data dir. */
  names(dataDir: string): Promise<string[]>;
}

let prefixes = 0;

/** A fresh, empty store of `kind` (S3: a new key prefix in the file's one server). */
export async function storeUnderTest(kind: StoreKind): Promise<StoreUnderTest> {
  if (kind === 'dir') {
    return { config: {}, names: async (dataDir) => readdirSync(join(dataDir, 'images')).sort() };
  }
  const server = await sharedS3Server();
  const prefix = `t${++prefixes}/blobs/`;
  return {
    config: server.config(prefix),
    names: async () => (await server.keys(prefix)).map((k) => k.slice(prefix.length)),
  };
}

let shared: ReturnType<typeof startS3Server> | undefined;
/** The test file's one S3 server, started on first use. */
export function sharedS3Server() {
  shared ??= startS3Server();
  return shared;
}

/** A body that arrives in `chunk`-byte pieces, as a network upload does. */
export function chunked(content: Buffer, chunk = 64 * 1024): Readable {
  let at = 0;
  return new Readable({
    read() {
      if (at >= content.length) return this.push(null);
      this.push(content.subarray(at, at + chunk));
      at += chunk;
    },
  });
}
