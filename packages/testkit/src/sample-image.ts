import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initHost, runCommand } from '@apiary/illumos-sim';

/**
 * A small image as OmniOS bhyve boxes carry them: a zvol snapshot as a `zfs send` stream, made
 * by the simulator's own `zfs send` so agents can `zfs receive` it. Returns the stream's text.
 */
export async function sampleImageStream(name = 'alpine-cloud', size = '1G'): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'apiary-image-'));
  try {
    initHost(scratch, { hostname: 'image-builder' });
    const run = async (...argv: string[]) => {
      const result = await runCommand({ argv, root: scratch });
      if (result.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    await run('zfs', 'create', '-V', size, `rpool/${name}`);
    await run('zfs', 'snapshot', `rpool/${name}@base`);
    return await run('zfs', 'send', `rpool/${name}@base`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Writes the sample image stream to `path` (for `apiary images import`). */
export async function writeSampleImage(path: string, name?: string): Promise<string> {
  writeFileSync(path, await sampleImageStream(name));
  return path;
}
