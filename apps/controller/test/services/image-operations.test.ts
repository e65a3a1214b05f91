import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { ImageOperationAccepted, IntakeProgress, VmOperation } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type FileServer, startFileServer } from '../helpers/file-server.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { getOperation, intakeOutcome, settle } from '../helpers/intake-op.js';
import { patternedDisk } from '../helpers/qemu.js';
import { NOTHING, storedCounts } from '../helpers/stored.js';
import { createTwoTenants } from '../helpers/two-orgs.js';

/*
 * Image fetches as operations (issue 16): answered 202, the download followed with its bytes
 * and phase on `GET /v1/operations/{id}`, the image on its result; a controller that stops
 * mid-download leaves the operation to be adopted and finished, never stuck running.
 */

let h: Harness | undefined;
let server: FileServer | undefined;
let another: { stop(): Promise<void> } | undefined;
afterEach(async () => {
  await another?.stop();
  another = undefined;
  await server?.close();
  server = undefined;
  await h?.close();
  h = undefined;
});

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Sends `body` in 64 KiB pieces, one every `everyMs`, with or without a Content-Length. */
function trickle(body: Buffer, everyMs: number, withLength: boolean) {
  return {
    handler: (_req: unknown, res: ServerResponse) => {
      res.writeHead(200, withLength ? { 'content-length': String(body.length) } : {});
      let at = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        const piece = body.subarray(at, at + 65536);
        at += piece.length;
        if (at >= body.length) {
          clearInterval(timer);
          res.end(piece);
        } else res.write(piece);
      }, everyMs);
    },
  };
}

async function accepted(res: Response): Promise<VmOperation> {
  expect(res.status, await res.clone().text()).toBe(202);
  return ((await res.json()) as ImageOperationAccepted).operation;
}

describe('image fetch operations', () => {
  it('reports the download bytes of the total while it runs, then the image on the result', async () => {
    h = await createHarness({ config: { allowAgentTargets: ['loopback'] } });
    server = await startFileServer();
    const raw = patternedDisk(1024 * 1024);
    server.files.set('/disk.raw', trickle(raw, 100, true));
    const op = await accepted(
      await h.req('POST', '/v1/images/fetch', { url: `${server.url}/disk.raw`, name: 'disk' }),
    );
    expect(op).toMatchObject({ kind: 'fetch_image', vm_id: null, state: 'running' });
    const seen: IntakeProgress[] = [];
    const done = await settle(h, op.id, (o) => {
      if (o.intake) seen.push(o.intake);
    });
    expect(done).toMatchObject({ state: 'succeeded', error: null, intake: null });
    expect(done.result).toEqual({ image: 'disk', image_digest: sha(raw) });
    const partial = seen.filter(
      (p) => p.phase === 'download' && p.bytes_received > 0 && p.bytes_received < raw.length,
    );
    expect(partial.length).toBeGreaterThan(0);
    for (const p of partial) expect(p.bytes_total).toBe(raw.length);
    expect((await storedCounts(h)).staged).toBe(0);
  });

  it('says the total is unknown when the server sends no Content-Length', async () => {
    h = await createHarness({ config: { allowAgentTargets: ['loopback'] } });
    server = await startFileServer();
    const raw = patternedDisk(768 * 1024);
    server.files.set('/disk.raw', trickle(raw, 100, false));
    const op = await accepted(
      await h.req('POST', '/v1/images/fetch', { url: `${server.url}/disk.raw`, name: 'disk' }),
    );
    const seen: IntakeProgress[] = [];
    const done = await settle(h, op.id, (o) => {
      if (o.intake?.phase === 'download' && o.intake.bytes_received > 0) seen.push(o.intake);
    });
    expect(done.state).toBe('succeeded');
    expect(seen.length).toBeGreaterThan(0);
    for (const p of seen) expect(p.bytes_total).toBeNull();
  });

  it('refuses a second fetch into the same name while the first runs (409)', async () => {
    h = await createHarness({ config: { allowAgentTargets: ['loopback'] } });
    server = await startFileServer();
    server.files.set('/disk.raw', trickle(patternedDisk(512 * 1024), 40, true));
    const first = await accepted(
      await h.req('POST', '/v1/images/fetch', { url: `${server.url}/disk.raw`, name: 'disk' }),
    );
    const second = await h.req('POST', '/v1/images/fetch', {
      url: `${server.url}/disk.raw`,
      name: 'disk',
    });
    expect(second.status).toBe(409);
    expect((await settle(h, first.id)).state).toBe('succeeded');
  });

  it('a failed fetch ends failed with nothing stored and nothing staged', async () => {
    h = await createHarness({ config: { allowAgentTargets: ['loopback'] } });
    server = await startFileServer();
    const res = await h.req('POST', '/v1/images/fetch', {
      url: `${server.url}/missing.raw`,
      name: 'missing',
    });
    const { op } = await intakeOutcome(h, res);
    expect(op).toMatchObject({ state: 'failed', error: { code: 'not_found' } });
    expect(await storedCounts(h)).toEqual(NOTHING);
  });

  it('is seen by its organization only', async () => {
    h = await createHarness({ config: { allowAgentTargets: ['loopback'] } });
    const { alpha, bravo } = await createTwoTenants(h);
    server = await startFileServer();
    server.files.set('/disk.raw', { body: patternedDisk(64 * 1024) });
    const op = await accepted(
      await h.req(
        'POST',
        '/v1/images/fetch',
        { url: `${server.url}/disk.raw`, name: 'disk' },
        alpha.admin,
      ),
    );
    await settle(h, op.id);
    expect((await h.req('GET', `/v1/operations/${op.id}`, undefined, alpha.admin)).status).toBe(
      200,
    );
    expect((await h.req('GET', `/v1/operations/${op.id}`, undefined, bravo.admin)).status).toBe(
      404,
    );
  });
});

describe('a controller stopping mid-download', () => {
  /** Serves half of `body`, then holds the connection open until the client goes. */
  function stallHalfway(body: Buffer) {
    return {
      handler: (_req: unknown, res: ServerResponse) => {
        res.writeHead(200, { 'content-length': String(body.length) });
        res.write(body.subarray(0, body.length / 2));
      },
    };
  }

  async function startStalled(hh: Harness, srv: FileServer, raw: Buffer): Promise<string> {
    srv.files.set('/disk.raw', stallHalfway(raw));
    const op = await accepted(
      await hh.req('POST', '/v1/images/fetch', { url: `${srv.url}/disk.raw`, name: 'disk' }),
    );
    // Half the bytes arrived: the download is under way when the controller stops.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const now = await getOperation(hh, op.id);
      if ((now.intake?.bytes_received ?? 0) >= raw.length / 2) break;
      if (Date.now() > deadline) throw new Error('the download never started');
      await new Promise((r) => setTimeout(r, 20));
    }
    await hh.core.ctx.sagas.stop();
    // Stopped, not failed: the operation waits for a controller to adopt it.
    expect((await getOperation(hh, op.id)).state).toBe('running');
    return op.id;
  }

  it('is adopted by the next controller and finishes: the download runs again', async () => {
    h = await createHarness({ config: { allowAgentTargets: ['loopback'] } });
    server = await startFileServer();
    const raw = patternedDisk(1024 * 1024);
    const id = await startStalled(h, server, raw);
    // A crash leaves the staging directory behind; the adopting run starts by clearing it.
    const left = join(h.dataDir, 'staging', id);
    mkdirSync(left, { recursive: true });
    writeFileSync(join(left, 'download'), 'stale half of a previous run');
    server.files.set('/disk.raw', { body: raw });
    const next = await h.anotherController();
    another = next;
    expect(await next.ctx.sagas.adoptOrphans()).toBe(1);
    const done = await settle(h, id);
    expect(done).toMatchObject({ state: 'succeeded', result: { image_digest: sha(raw) } });
    expect(existsSync(left)).toBe(false);
    expect(await storedCounts(h)).toEqual({ records: 1, blobs: 1, staged: 0 });
  });

  it('ends failed, not running, when the adopting controller cannot download it', async () => {
    h = await createHarness({ config: { allowAgentTargets: ['loopback'] } });
    server = await startFileServer();
    const id = await startStalled(h, server, patternedDisk(512 * 1024));
    server.files.delete('/disk.raw');
    const next = await h.anotherController();
    another = next;
    expect(await next.ctx.sagas.adoptOrphans()).toBe(1);
    const done = await settle(h, id);
    expect(done).toMatchObject({ state: 'failed', error: { code: 'not_found' } });
    expect(await storedCounts(h)).toEqual(NOTHING);
  });
});
