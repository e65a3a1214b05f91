import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GuestAccount, initHost, runCommand, writeGuestOsRelease } from '@apiary/illumos-sim';
import type { ControllerClient, Image } from '@apiary/protocol';

export interface SampleImage {
  /** A `zfs send` stream of a volume snapshot, as OmniOS bhyve hosts carry images. */
  stream: Buffer;
  /** `sha256:<hex>` of the stream: the image's id once uploaded. */
  digest: string;
}

const made = new Map<string, SampleImage>();

/**
 * A small image made by the simulator's own `zfs send` on a throw-away host, so agents can
 * `zfs receive` it. Its volume carries the os-release of the system its name suggests
 * (`alpine-cloud`: Alpine; `ubuntu-*`, `debian-*`; anything else OmniOS), which is what the
 * simulated guest of a VM made from it says it runs; `accounts` are the logins its serial
 * console accepts (none by default: every login is refused). The same name and accounts give
 * the same stream (made once per process).
 */
export async function sampleImage(
  name = 'alpine-cloud',
  accounts: GuestAccount[] = [],
): Promise<SampleImage> {
  const key = accounts.length > 0 ? `${name}|${JSON.stringify(accounts)}` : name;
  const cached = made.get(key);
  if (cached) return cached;
  const scratch = mkdtempSync(join(tmpdir(), 'apiary-image-'));
  try {
    initHost(scratch, { hostname: 'image-builder' });
    const run = async (...argv: string[]) => {
      const result = await runCommand({ argv, root: scratch });
      if (result.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    await run('zfs', 'create', '-V', '1G', `rpool/${name}`);
    writeGuestOsRelease(scratch, `rpool/${name}`, guestOsOf(name), accounts);
    await run('zfs', 'snapshot', `rpool/${name}@base`);
    const stream = Buffer.from(await run('zfs', 'send', `rpool/${name}@base`));
    const image = { stream, digest: `sha256:${createHash('sha256').update(stream).digest('hex')}` };
    made.set(key, image);
    return image;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function guestOsOf(name: string): string {
  return ['alpine', 'ubuntu', 'debian'].find((os) => name.toLowerCase().includes(os)) ?? 'omnios';
}

/** Writes the sample image's stream to `path` (for `apiary images import`); returns `path`. */
export async function writeSampleImage(
  path: string,
  name?: string,
  accounts: GuestAccount[] = [],
): Promise<string> {
  writeFileSync(path, (await sampleImage(name, accounts)).stream);
  return path;
}

/** Uploads the sample image under `name` with `client`'s credentials (a fresh or a known one). */
export async function uploadSampleImage(
  client: ControllerClient,
  name: string,
  accounts: GuestAccount[] = [],
): Promise<Image> {
  const { stream } = await sampleImage(name, accounts);
  return client.uploadImage({
    query: { name, format: 'zfs-send' },
    body: new Uint8Array(stream),
    contentLength: stream.length,
  });
}
