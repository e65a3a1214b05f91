import type { Logger } from '@apiary/server-kit';
import type { HostResources } from '../capacity/host-capacity.js';
import type { Db } from '../db/open.js';
import type { HostExec } from '../host/exec.js';
import type { Layout } from '../host/layout.js';
import { Semaphore } from '../util/semaphore.js';

/** What the storage API's services share; `serial` runs their host changes one at a time. */
export interface StorageContext {
  db: Db;
  exec: HostExec;
  log: Logger;
  layout: Layout;
  resources: HostResources;
  /**
   * Changes and the charge refresh in turn: a refresh never drops the row of a dataset whose
   * create is still running, and two creates never pass the same capacity check.
   */
  serial: Semaphore;
}

export function storageContext(deps: Omit<StorageContext, 'serial'>): StorageContext {
  return { ...deps, serial: new Semaphore(1) };
}
