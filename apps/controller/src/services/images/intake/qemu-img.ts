import { ApiError } from '@apiary/protocol';
import { execa } from 'execa';
import { z } from 'zod';

/*
 * qemu-img from the OS's package (Debian: qemu-utils) reads and converts qcow2 images on the
 * controller. Run with argv arrays (execa, no shell) and only on files the controller staged.
 */

const QEMU_IMG = 'qemu-img';

/** The fields of `qemu-img info --output=json` that decide whether an image is taken. */
const QemuImgInfo = z.object({
  format: z.string(),
  'virtual-size': z.number().int().min(0),
  'backing-filename': z.string().optional(),
  'full-backing-filename': z.string().optional(),
  'data-file': z.string().optional(),
});
export type QemuImgInfo = z.infer<typeof QemuImgInfo>;

function missing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

const NOT_INSTALLED = () =>
  new ApiError(
    'unavailable',
    'qemu-img is not installed on the controller: install qemu-utils (Debian, Ubuntu) or qemu-img to take qcow2 images',
    { forClient: true },
  );

async function run(args: string[]): Promise<string> {
  try {
    // Reading a hostile image must not take the controller's memory or time without end.
    const r = await execa(QEMU_IMG, args, { timeout: 3600_000, maxBuffer: 1024 * 1024 });
    return r.stdout;
  } catch (error) {
    if (missing(error)) throw NOT_INSTALLED();
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new ApiError('validation', `qemu-img could not read the image: ${stderr.split('\n')[0]}`);
  }
}

/**
 * What the image says of itself. The format is given (`-f qcow2`): qemu-img's own guess
 * would let a raw file whose first bytes look like a qcow2 header be read as one.
 */
export async function qemuImgInfo(path: string, format: 'qcow2'): Promise<QemuImgInfo> {
  const out = await run(['info', '--output=json', '-f', format, path]);
  const parsed = QemuImgInfo.safeParse(JSON.parse(out));
  if (!parsed.success)
    throw new ApiError('validation', 'qemu-img info answered an unexpected document');
  return parsed.data;
}

/** Converts a qcow2 image to a raw disk (sparse where the qcow2 had no data). */
export async function convertToRaw(source: string, target: string): Promise<void> {
  await run(['convert', '-f', 'qcow2', '-O', 'raw', source, target]);
}

/** Whether qemu-img can be run here (for the health of the qcow2 path; tests skip on it). */
export async function qemuImgAvailable(): Promise<boolean> {
  try {
    await execa(QEMU_IMG, ['--version']);
    return true;
  } catch {
    return false;
  }
}
