import type { HostExec } from './host/exec.js';
import { createFilesystem } from './host/zfs.js';
import type { Layout } from './layout.js';

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
      await createFilesystem(this.exec, this.layout.imagesRoot);
      await createFilesystem(this.exec, this.layout.vmsRoot);
    })().catch((error) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }
}
