import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  type AgentImage,
  ApiError,
  type AgentImageFormat as ImageFormat,
  type StorageBackend,
} from '@apiary/protocol';
import type { Logger } from '@apiary/server-kit';
import type { Db } from '../db/open.js';
import type { HostExec } from '../host/exec.js';
import type { Layout } from '../host/layout.js';
import {
  deleteImageRow,
  getImage,
  getImageByName,
  type ImageRow,
  insertImage,
  listImageRows,
  nameImage,
  toAgentImage,
  vmsUsingImage,
} from './image-store.js';
import { importImage, removeImage } from './import-image.js';
import { appendStream, partialSize, type StagedFile, stageStream } from './staging.js';

/** Where images come from when the agent does not hold them: the controller. */
export interface ImageSource {
  /** GET the image from byte `offset` on (Range); resolves to a 200 or 206 response. */
  download(digest: string, offset: number): Promise<Response>;
}

export interface ImageServiceDeps {
  db: Db;
  exec: HostExec;
  layout: Layout;
  log: Logger;
  dataDir: string;
  maxBytes: number;
  storage: StorageBackend;
  source: () => ImageSource | null;
  /** Makes sure the images' parent dataset exists before the first import. */
  prepare: () => Promise<void>;
  /** Called after the set of images changed (inventory generation). */
  onChange: () => void;
}

/** Where uploads and pulls are staged, under the data directory. */
const STAGING_DIR = ['images', 'staging'];
const PULL_DIR = ['images', 'pull'];

export class ImageService {
  /** One import per digest at a time: concurrent creates needing the same image share it. */
  private readonly inflight = new Map<string, Promise<ImageRow>>();

  constructor(private readonly deps: ImageServiceDeps) {}

  list(limit: number, offset: number) {
    const rows = listImageRows(this.deps.db);
    return {
      items: rows.slice(offset, offset + limit).map((r) => this.present(r)),
      total: rows.length,
    };
  }

  present(row: ImageRow): AgentImage {
    return toAgentImage(row, vmsUsingImage(this.deps.db, row.digest));
  }

  /** Resolve a create request's image reference without touching the host. */
  resolve(ref: string): { digest: string; row: ImageRow | undefined } | null {
    if (ref.startsWith('sha256:')) return { digest: ref, row: getImage(this.deps.db, ref) };
    const row = getImageByName(this.deps.db, ref);
    return row ? { digest: row.digest, row } : null;
  }

  canPull(): boolean {
    return this.deps.source() !== null;
  }

  async upload(
    body: ReadableStream<Uint8Array>,
    query: { name: string; format: ImageFormat; digest?: string | undefined },
  ): Promise<AgentImage> {
    const staged = await stageStream(
      Readable.fromWeb(body as never),
      join(this.deps.dataDir, ...STAGING_DIR),
      this.deps.maxBytes,
    );
    try {
      const digest = `sha256:${staged.hex}`;
      if (query.digest && query.digest !== digest) {
        throw new ApiError('validation', `content digest ${digest} does not match ${query.digest}`);
      }
      const row = await this.singleFlight(digest, () =>
        this.store(staged, query.format, query.name),
      );
      return this.present(row);
    } finally {
      await rm(staged.path, { force: true });
    }
  }

  /** Make sure the image is in the local store, pulling it from the controller if needed. */
  async ensure(digest: string, format: ImageFormat = 'zfs-send', name?: string): Promise<ImageRow> {
    const local = getImage(this.deps.db, digest);
    if (local) return local;
    return this.singleFlight(digest, () => this.pullNow(digest, format, name));
  }

  async pull(digest: string, format: ImageFormat, name?: string): Promise<AgentImage> {
    return this.present(await this.ensure(digest, format, name));
  }

  async delete(digest: string): Promise<void> {
    const row = getImage(this.deps.db, digest);
    if (!row) throw new ApiError('not_found', `no image ${digest}`);
    const users = vmsUsingImage(this.deps.db, digest);
    if (users > 0) throw new ApiError('conflict', `image ${digest} is used by ${users} VM(s)`);
    await removeImage(this.deps.exec, this.deps.layout, digest.slice('sha256:'.length));
    deleteImageRow(this.deps.db, digest);
    this.deps.onChange();
  }

  private async singleFlight(digest: string, task: () => Promise<ImageRow>): Promise<ImageRow> {
    const running = this.inflight.get(digest);
    if (running) return running;
    const promise = task().finally(() => this.inflight.delete(digest));
    this.inflight.set(digest, promise);
    return promise;
  }

  private async store(staged: StagedFile, format: ImageFormat, name: string | null | undefined) {
    const digest = `sha256:${staged.hex}`;
    const known = getImage(this.deps.db, digest);
    if (known) return name && !known.name ? nameImage(this.deps.db, digest, name) : known;
    await this.deps.prepare();
    const imported = await importImage(
      this.deps.exec,
      this.deps.layout,
      staged,
      format,
      this.deps.storage,
    );
    const row = insertImage(this.deps.db, {
      digest,
      name: name ?? null,
      format,
      size: staged.size,
      location: imported.location,
      diskBytes: imported.diskBytes,
      importedAt: new Date().toISOString(),
    });
    this.deps.log.info(
      {
        digest,
        size: staged.size,
        location: imported.location,
      },
      'image imported',
    );
    this.deps.onChange();
    return row;
  }

  /**
   * Download with Range resume into `images/pull/<hex>.part`, verify, import. The partial file
   * lives only as long as this pull: whatever way the pull ends, it is removed, so a download
   * refused as too large (or corrupt) cannot make the next pull of the digest fail at once.
   */
  private async pullNow(digest: string, format: ImageFormat, name?: string): Promise<ImageRow> {
    const source = this.deps.source();
    if (!source) throw new ApiError('not_found', `image ${digest} is not on this host`);
    const hex = digest.slice('sha256:'.length);
    const dir = join(this.deps.dataDir, ...PULL_DIR);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${hex}.part`);
    try {
      const staged = await this.download(source, digest, path);
      if (staged.hex !== hex) {
        throw new ApiError('upstream_failed', `downloaded image does not match ${digest}`);
      }
      return await this.store(staged, format, name);
    } finally {
      await rm(path, { force: true });
    }
  }

  /** Up to four attempts, each resuming from what the partial file holds. */
  private async download(source: ImageSource, digest: string, path: string): Promise<StagedFile> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const offset = await partialSize(path);
      try {
        const response = await source.download(digest, offset);
        if (response.status === 200 && offset > 0) await rm(path, { force: true });
        if (!response.body) throw new ApiError('upstream_failed', 'empty image response');
        return await appendStream(
          Readable.fromWeb(response.body as never),
          path,
          this.deps.maxBytes,
        );
      } catch (error) {
        if (error instanceof ApiError && !error.retryable && error.code !== 'upstream_failed') {
          throw error;
        }
        this.deps.log.warn({ digest, offset, attempt }, 'image download interrupted; resuming');
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
    throw new ApiError('upstream_failed', `could not download image ${digest}`);
  }

  /**
   * Remove what uploads and pulls a crash interrupted. Called at start, before the agent
   * serves requests: no upload or pull can be in flight then.
   */
  async clearStaging(): Promise<void> {
    for (const parts of [STAGING_DIR, PULL_DIR]) {
      await rm(join(this.deps.dataDir, ...parts), { recursive: true, force: true });
    }
  }
}
