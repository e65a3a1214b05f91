import type { HostExec } from '../host/exec.js';
import type { Layout } from '../host/layout.js';
import { createFilesystem } from '../host/zfs.js';

/**
 * The parent datasets images and VM disks live under (`<pool>/apiary/images`, `.../vms`),
 * created once per process on first need; a failure is forgotten so the next caller retries.
 */
export class StorageSetup {
  private ready: Promise<void> | null = null;

  constructor(
    private readonly exec: HostExec,
    private readonly layout: Layout,
  ) {}

  ensure(): Promise<void> {
    this.ready ??= (async () => {
      // Explicit mountpoints: image and disk files (file backend) live at known host paths,
      // and children inherit them, renames included.
      await createFilesystem(this.exec, this.layout.imagesRoot, {
        mountpoint: this.layout.imagesMount,
      });
      await createFilesystem(this.exec, this.layout.vmsRoot, { mountpoint: this.layout.vmsMount });
    })().catch((error) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }
}
