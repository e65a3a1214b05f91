import type { AgentInfo, StorageBackend } from '@apiary/protocol';
import type { Logger } from '@apiary/server-kit';
import type { HostResources } from './capacity/host-capacity.js';
import type { Db } from './db/open.js';
import type { Layout } from './host/layout.js';
import type { ImageService } from './images/image-service.js';
import type { AgentMetrics } from './metrics.js';
import type { Migrations } from './migrations/migrations.js';
import type { NetworksContext } from './network/network-service.js';
import type { RecipeRuns } from './recipes/recipe-runs.js';
import type { StatsSampler } from './stats/stats-sampler.js';
import type { StorageContext } from './storage/storage-context.js';
import type { VmChangeService } from './vms/vm-change-service.js';
import type { VmService } from './vms/vm-service.js';

/** Everything the HTTP app needs, built by main.ts (or a test) and passed in. */
export interface AgentDeps {
  db: Db;
  log: Logger;
  metrics: AgentMetrics;
  layout: Layout;
  hostId: string;
  hostname: string;
  storage: StorageBackend;
  dataDir: string;
  maxImageBytes: number;
  portRange: [number, number];
  vms: VmService;
  /** Resize, disks, CD-ROM, snapshots, clones (absent: those routes are not served). */
  changes?: VmChangeService;
  images: ImageService;
  /** Moving VMs between hosts (absent: those routes are not served). */
  migrations?: Migrations;
  /** Recipes run on VMs' serial consoles (absent: that route is not served). */
  recipes?: RecipeRuns;
  resources: HostResources;
  /** Usage sampled from kstat: what the stats routes and /metrics read. */
  stats: StatsSampler;
  controllerStatus: () => AgentInfo['controller'];
  /** Pools, datasets, swap, links, addresses and NAT as administrators manage them (absent: not served). */
  hostAdmin?: StorageContext;
  /** Networks VMs join (absent: not served). */
  networks?: NetworksContext;
}
