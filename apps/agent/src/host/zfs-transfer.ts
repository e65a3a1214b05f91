import type { Readable } from 'node:stream';
import type { HostExec } from './exec.js';
import { failedWith } from './host-command-error.js';
import { checkName, DatasetName, SnapshotName } from './names.js';

/*
 * zfs verbs of a VM moving between hosts: what one side sends (`zfs send`, full, incremental
 * `-i`, or resumed `-t`), what the other receives (`zfs receive -s -u`, which keeps a cut
 * stream's part and a `receive_resume_token`), and the properties that verify it (the
 * snapshot's guid travels in the stream and is kept by the receiver).
 */

const ds = (name: string) => checkName(DatasetName, name, 'dataset');
const snap = (name: string) => checkName(SnapshotName, name, 'snapshot');

/**
 * A resume token as zfs prints it (`1-<checksum>-<length>-<hex payload>`, libzfs_sendrecv.c
 * zfs_send_resume_token_to_nvlist). It comes from another host: it reaches argv only in this
 * shape, so it can never read as an option or carry anything else.
 */
export const RESUME_TOKEN = /^1-[0-9a-f]{1,16}-[0-9a-f]{1,16}-[0-9a-f]{2,8192}$/;

export function checkResumeToken(token: string): string {
  if (!RESUME_TOKEN.test(token)) throw new TypeError('not a zfs receive_resume_token');
  return token;
}

/** What a send carries: a whole snapshot, what changed since `from`, or the rest of a cut one. */
export type SendSource =
  | { kind: 'full'; snapshot: string }
  | { kind: 'incremental'; snapshot: string; from: string }
  | { kind: 'resume'; token: string };

export function sendArgs(source: SendSource): string[] {
  if (source.kind === 'resume') return ['send', '-t', checkResumeToken(source.token)];
  if (source.kind === 'full') return ['send', snap(source.snapshot)];
  const from = snap(source.from);
  return ['send', '-i', from.slice(from.indexOf('@')), snap(source.snapshot)];
}

/** The stream of `zfs send`, read as it is made; `done` settles when zfs exits. */
export function sendStreamOf(
  exec: HostExec,
  source: SendSource,
): { stdout: Readable; done: Promise<void> } {
  if (!exec.stream) throw new Error('this host exec cannot stream command output');
  return exec.stream('zfs', sendArgs(source));
}

/** `zfs send -nP ...`: the estimated stream size in bytes (its `size` line). */
export async function estimateSend(exec: HostExec, source: SendSource): Promise<number> {
  const [verb, ...rest] = sendArgs(source);
  const { stdout } = await exec.run('zfs', [verb!, '-nP', ...rest]);
  return parseSendSize(stdout);
}

/** The `size\t<bytes>` line of `zfs send -nP` (send_print_verbose / zfs_send). */
export function parseSendSize(stdout: string): number {
  const line = stdout.split('\n').find((l) => l.startsWith('size\t'));
  const bytes = Number(line?.slice(5));
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : 0;
}

/**
 * `zfs receive -s -u [-x refreservation] TARGET`, stdin streamed in. `-s`: a stream that stops
 * short leaves what arrived and a resume token instead of nothing. `-u`: nothing is mounted.
 * The reservation of a thick volume is not taken over (the target's own accounting holds it).
 */
export async function receiveResumable(
  exec: HostExec,
  target: string,
  stdin: Readable,
  timeoutMs: number,
): Promise<void> {
  await exec.run('zfs', ['receive', '-s', '-u', '-x', 'refreservation', ds(target)], {
    stdin,
    timeoutMs,
  });
}

/** A receive that failed but kept what arrived (`Partially received snapshot is saved.`). */
export function keptPartial(error: unknown): boolean {
  return failedWith(error, 'Partially received snapshot is saved');
}

/** `zfs receive -A TARGET`: drop a partial receive; none there is success. */
export async function abortPartialReceive(exec: HostExec, target: string): Promise<void> {
  try {
    await exec.run('zfs', ['receive', '-A', ds(target)]);
  } catch (error) {
    if (failedWith(error, 'does not have any resumable receive state', 'does not exist')) return;
    throw error;
  }
}

/**
 * Properties of one dataset or snapshot (`zfs get -Hp -o property,value`): `-` for none.
 * Null when it does not exist.
 */
export async function getProperties(
  exec: HostExec,
  name: string,
  properties: string[],
): Promise<Record<string, string> | null> {
  const target = name.includes('@') ? snap(name) : ds(name);
  try {
    const { stdout } = await exec.run('zfs', [
      'get',
      '-Hp',
      '-o',
      'property,value',
      properties.join(','),
      target,
    ]);
    const out: Record<string, string> = {};
    for (const line of stdout.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab > 0) out[line.slice(0, tab)] = line.slice(tab + 1);
    }
    return out;
  } catch (error) {
    if (failedWith(error, 'does not exist')) return null;
    throw error;
  }
}

/** A snapshot's guid, or null when there is no such snapshot. */
export async function snapshotGuid(exec: HostExec, name: string): Promise<string | null> {
  return (await getProperties(exec, name, ['guid']))?.guid ?? null;
}

/** The resume token a `zfs receive -s` cut short left on `dataset`, or null. */
export async function resumeTokenOf(exec: HostExec, dataset: string): Promise<string | null> {
  const value = (await getProperties(exec, dataset, ['receive_resume_token']))
    ?.receive_resume_token;
  return value && value !== '-' ? value : null;
}
