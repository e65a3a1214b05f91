import type { Readable } from 'node:stream';
import { ApiError, sleep } from '@apiary/protocol';
import type { Logger } from '@apiary/server-kit';
import type { HostExec } from '../host/exec.js';
import { failedWith, isHostCommandError } from '../host/host-command-error.js';
import { estimateSend, type SendSource, sendStreamOf } from '../host/zfs-transfer.js';
import { ByteBatch } from './byte-batches.js';
import type { TransferTarget } from './transfer-client.js';

export interface VolumeProgress {
  state: 'pending' | 'sending' | 'sent';
  bytes_sent: number;
  bytes_total: number;
  resumes: number;
}

export interface SendVolumeArgs {
  exec: HostExec;
  log: Logger;
  target: TransferTarget;
  /** The volume's name under the VM (`disk0`, `data1`) and its dataset here. */
  name: string;
  dataset: string;
  snapshot: string;
  from: string | null;
  guid: string;
  progress(p: VolumeProgress): void;
  /** A stream that moves no byte for this long is given up (and resumed). */
  stallMs: number;
  /** Streams resumed from the target's token before the export fails. */
  maxResumes: number;
}

/** The resume token no longer fits (the target's state or our snapshot changed): start over. */
function staleResume(error: unknown): boolean {
  if (failedWith(error, 'cannot resume send')) return true;
  const msg = error instanceof ApiError ? error.message : '';
  return /invalid backup stream|no partial receive to resume/.test(msg);
}

/** Worth another attempt: the connection, the target, or the stream broke off. */
function interrupted(error: unknown): boolean {
  if (isHostCommandError(error)) return false;
  if (!(error instanceof ApiError)) return true;
  return error.retryable || ['unavailable', 'timeout', 'upstream_failed'].includes(error.code);
}

/**
 * One volume to the target: asks the target what it holds, then streams `zfs send` (whole,
 * incremental, or from the target's resume token) as the body of one PUT. A cut stream is
 * resumed from the token the target keeps; a token that no longer fits is dropped and the
 * volume sent again once; anything else fails the export.
 */
export async function sendVolume(a: SendVolumeArgs): Promise<void> {
  const p: VolumeProgress = { state: 'sending', bytes_sent: 0, bytes_total: 0, resumes: 0 };
  const whole: SendSource = a.from
    ? {
        kind: 'incremental',
        snapshot: `${a.dataset}@${a.snapshot}`,
        from: `${a.dataset}@${a.from}`,
      }
    : { kind: 'full', snapshot: `${a.dataset}@${a.snapshot}` };
  p.bytes_total = await estimateSend(a.exec, whole);
  a.progress({ ...p });
  let restarted = false;
  let waits = 0;
  for (;;) {
    const remote = (
      await a.target.client.getImport({ params: { id: a.target.importId } })
    ).volumes.find((v) => v.name === a.name);
    if (!remote) throw new ApiError('conflict', `the target's import has no volume ${a.name}`);
    if (remote.state === 'received' && remote.snapshot === a.snapshot && remote.guid === a.guid) {
      a.progress({ ...p, state: 'sent', bytes_sent: p.bytes_total });
      return;
    }
    if (remote.state === 'receiving') {
      // The target still takes in a stream that broke off on our side: let it see the end.
      if (++waits > 60) throw new ApiError('conflict', `the target is still receiving ${a.name}`);
      await sleep(1000);
      continue;
    }
    const token = !restarted ? remote.resume_token : null;
    const source: SendSource = token ? { kind: 'resume', token } : whole;
    try {
      await streamOnce(a, source, p);
    } catch (error) {
      if (staleResume(error) && !restarted) {
        a.log.warn({ volume: a.name, error }, 'the resume token no longer fits; sending again');
        restarted = true;
        continue;
      }
      if (interrupted(error) && p.resumes < a.maxResumes) {
        p.resumes++;
        a.log.warn({ volume: a.name, resumes: p.resumes, error }, 'stream cut; resuming');
        a.progress({ ...p });
        // The target notices a cut connection a moment after we do: let it keep what arrived.
        await sleep(500);
        continue;
      }
      throw error;
    }
  }
}

/** One `zfs send` piped into one PUT; rejects with the send's error when the send failed. */
async function streamOnce(a: SendVolumeArgs, source: SendSource, p: VolumeProgress) {
  const { stdout, done } = sendStreamOf(a.exec, source);
  let sendEnded = false;
  const sendFailure = done.then(
    () => {
      sendEnded = true;
      return null;
    },
    (error: unknown) => {
      sendEnded = true;
      return error;
    },
  );
  const abort = new AbortController();
  // One timer for the whole stream, not one per batch: it looks when it fires whether bytes
  // moved since, and waits the rest of the stall time if they did.
  let movedAt = Date.now();
  const watch = () => {
    const still = Date.now() - movedAt;
    if (still >= a.stallMs) abort.abort();
    else timer = setTimeout(watch, a.stallMs - still);
  };
  let timer = setTimeout(watch, a.stallMs);
  stdout.on('error', () => undefined);
  // Any byte from zfs send counts as movement, not only a full batch: a slow stream is not a
  // stalled one.
  const body = uploadBody(
    stdout,
    sendFailure,
    () => {
      movedAt = Date.now();
    },
    (bytes) => {
      p.bytes_sent += bytes;
      a.progress({ ...p });
    },
  );
  const query = {
    snapshot: a.snapshot,
    guid: a.guid,
    ...(a.from && source.kind !== 'resume' ? { from: a.from } : {}),
    resume: source.kind === 'resume' ? 'true' : 'false',
  } as const;
  try {
    await a.target.client.uploadVolume(
      {
        params: { id: a.target.importId, name: a.name as never },
        query,
        body,
      },
      { signal: abort.signal, timeoutMs: 7 * 24 * 3600_000 },
    );
  } catch (error) {
    // zfs send that failed on its own says why; one whose reader went away (a broken pipe)
    // failed because the transfer did.
    const failedFirst = sendEnded ? await sendFailure : null;
    stdout.destroy();
    await sendFailure;
    if (failedFirst && !failedWith(failedFirst, 'Broken pipe', 'EPIPE')) throw failedFirst;
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const failed = await sendFailure;
  if (failed) throw failed;
}

/**
 * The PUT's body: `zfs send`'s output in batches (byte-batches.ts), each counted as it is taken.
 * The body ends only once zfs send has exited well: a send that failed part-way must not look
 * like a stream that ended.
 */
function uploadBody(
  stdout: Readable,
  sendFailure: Promise<unknown>,
  onPiece: () => void,
  onBatch: (bytes: number) => void,
): ReadableStream<Uint8Array> {
  const batches = (async function* () {
    const batch = new ByteBatch();
    for await (const piece of stdout) {
      onPiece();
      if (batch.add(piece as Buffer)) yield batch.take()!;
    }
    const rest = batch.take();
    if (rest) yield rest;
    if (await sendFailure) throw new Error('zfs send failed');
  })();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await batches.next();
        if (next.done) {
          controller.close();
          return;
        }
        onBatch(next.value.length);
        controller.enqueue(next.value);
      },
      cancel() {
        // The request is gone: zfs send ends on its broken pipe; the batches are not wanted.
        stdout.destroy();
        batches.return(undefined).catch(() => undefined);
      },
    },
    // One batch read ahead while the previous one is written to the socket.
    { highWaterMark: 1 },
  );
}
