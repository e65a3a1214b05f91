import type { StorageBackend } from '@apiary/protocol';
import type { Logger, StepObserver } from '@apiary/server-kit';
import type { HostExec } from '../host/exec.js';
import type { Layout } from '../host/layout.js';
import { type BootCheck, bootZone } from '../host/zone-boot.js';
import type { ZoneState } from '../host/zoneadm.js';
import type { ImageService } from '../images/image-service.js';
import type { ImageRow } from '../images/image-store.js';
import type { NicPlan } from '../network/vm-nic-plan.js';
import type { VmRow } from './vm-store.js';

/** What a VM saga step needs: the host, the layout, and the VM's record and allocations. */
export interface VmContext {
  exec: HostExec;
  log: Logger;
  layout: Layout;
  images: ImageService;
  /** zvol: a volume per VM disk, thin-cloned; file: a disk file per VM, copied. */
  storage: StorageBackend;
  /** Agent-private scratch directory (zonecfg command files). */
  tmpDir: string;
  /** How long a boot settles before the zone must be seen running. */
  bootCheck: BootCheck;
  /** Run a change to the host's NAT table in turn with the reconciliation pass. */
  withNatTable<T>(task: () => Promise<T>): Promise<T>;
  vm: VmRow;
  ports: Array<{ hostPort: number; guestPort: number }>;
  sshKeys: string[];
  /** The VM's NICs, primary first (one `nat` NIC for a VM that named no networks). */
  nics: NicPlan[];
  /** Set by the `image` step. */
  image?: ImageRow;
  /** Whether the zone named after this VM carries our id (checked once, before any undo). */
  owned?: boolean;
  /**
   * The state this saga's own last `zoneadm` verb left the zone in (`halt` exited 0: installed;
   * `uninstall` exited 0: configured), so the next undo step need not ask the host again. Unset
   * until such a verb ran: then the host is asked (`zoneadm -z <vm> list -p`).
   */
  zoneState?: ZoneState;
  /** Told how long each step (or its undo) took: the saga step metrics. */
  observeStep?: StepObserver;
}

export function vmIp(ctx: VmContext): string {
  if (ctx.vm.slot === null) throw new Error(`VM ${ctx.vm.id} has no network slot`);
  return ctx.layout.ip(ctx.vm.slot);
}

export function vmVnic(ctx: VmContext): string {
  if (ctx.vm.slot === null) throw new Error(`VM ${ctx.vm.id} has no network slot`);
  return ctx.layout.vnic(ctx.vm.slot);
}

/** Boot or reboot the VM's zone and confirm it stays up (else fail with init.log's reason). */
export function bootVm(ctx: VmContext, verb: 'boot' | 'reboot'): Promise<void> {
  const shown = ctx.layout.initLogPath(ctx.vm.id);
  return bootZone(
    ctx.exec,
    ctx.vm.id,
    verb,
    { real: ctx.layout.real(shown), shown },
    ctx.bootCheck,
  );
}
