import type { StorageBackend } from '@apiary/protocol';
import type { Logger } from '@apiary/server-kit';
import type { HostResources } from '../capacity/host-capacity.js';
import type { Db } from '../db/open.js';
import type { HostExec } from '../host/exec.js';
import type { Layout } from '../host/layout.js';
import type { ImageService } from '../images/image-service.js';
import type { OperationRunner } from './operation-runner.js';

/**
 * What the services that accept VM operations on this host stand on (create, changes, an
 * import's open and commit): the agent builds one and hands the same to each.
 */
export interface VmHostDeps {
  db: Db;
  exec: HostExec;
  log: Logger;
  layout: Layout;
  images: ImageService;
  /** Checked, inside the accepting transaction, against what the VMs already reserve. */
  resources: HostResources;
  runner: OperationRunner;
  /** Host ports handed out for port forwards. */
  portRange: [number, number];
  storage: StorageBackend;
}
