import type { OverlayEntry } from '@apiary/protocol';
import { and, eq, ne } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { getHostRow } from '../hosts/host-view.js';
import type { EnvRow } from './env-view.js';
import { overlayMac } from './private-network.js';
import { asVmOpError, VmOpError } from './vm-op-error.js';

/*
 * Keeps an environment's overlays (issue 14) in step with its VMs: every host running one of
 * its VMs has the overlay with the whole mapping (every VM's MAC, address and host), and no
 * other host keeps one. Each call converges from whatever state the last one (or a crash)
 * left: a host that answered is recorded in `env_overlay_hosts` before anything relies on its
 * underlay address, and a host is forgotten only after its overlay is confirmed removed. With
 * no live VM left, this is the undo of the whole network: every host's overlay goes.
 */

async function clientOf(ctx: Ctx, hostId: string) {
  const host = await getHostRow(ctx, hostId);
  if (!host) throw new VmOpError('host_missing', `host ${hostId} is not known`);
  return ctx.agents.forHost(host);
}

/**
 * `arriving`: hosts a VM of the environment is moving to (a migration's target), which need the
 * overlay before the VM's NIC is made there; the VM's entry names its current host until the
 * move switches it.
 */
export async function syncEnvOverlays(
  ctx: Ctx,
  env: EnvRow,
  opts: { arriving?: string[] } = {},
): Promise<void> {
  if (env.vni === null || env.privateSubnet === null) return;
  const { vms, envOverlayHosts } = ctx.t;
  const vni = env.vni;
  const subnet = env.privateSubnet;
  const live = await ctx.db
    .select({ hostId: vms.hostId, privateIp: vms.privateIp, name: vms.name })
    .from(vms)
    .where(and(eq(vms.envId, env.id), ne(vms.state, 'deleted')));
  const involved = new Set([
    ...live.flatMap((v) => (v.hostId ? [v.hostId] : [])),
    ...(opts.arriving ?? []),
  ]);
  const recorded = new Map(
    (await ctx.db.select().from(envOverlayHosts).where(eq(envOverlayHosts.envId, env.id))).map(
      (r) => [r.hostId, r],
    ),
  );
  try {
    // 1. Hosts new to the network make their overlay (their underlay address comes back).
    for (const hostId of involved) {
      if (recorded.has(hostId)) continue;
      const made = await (await clientOf(ctx, hostId)).putEnvOverlay({
        params: { env_id: env.id },
        body: { vni, subnet, entries: [] },
      });
      const row = {
        envId: env.id,
        hostId,
        underlayIp: made.underlay_ip,
        underlayPort: made.underlay_port,
      };
      await ctx.db.insert(envOverlayHosts).values(row).onConflictDoNothing();
      recorded.set(hostId, row);
    }
    // 2. Every involved host gets the whole mapping.
    const entries: OverlayEntry[] = live.flatMap((v) => {
      const at = v.hostId ? recorded.get(v.hostId) : undefined;
      if (!at || !v.privateIp) return [];
      return [
        {
          mac: overlayMac(vni, v.privateIp),
          ip: v.privateIp,
          underlay_ip: at.underlayIp,
          underlay_port: at.underlayPort,
        },
      ];
    });
    await Promise.all(
      [...involved].map(async (hostId) =>
        (await clientOf(ctx, hostId)).putEnvOverlay({
          params: { env_id: env.id },
          body: { vni, subnet, entries },
        }),
      ),
    );
    // 3. Hosts without a VM of the environment any more lose the overlay.
    for (const hostId of recorded.keys()) {
      if (involved.has(hostId)) continue;
      await (await clientOf(ctx, hostId)).deleteEnvOverlay({ params: { env_id: env.id } });
      await ctx.db
        .delete(envOverlayHosts)
        .where(and(eq(envOverlayHosts.envId, env.id), eq(envOverlayHosts.hostId, hostId)));
    }
  } catch (error) {
    throw asVmOpError(error, `updating the private network of ${env.name}`);
  }
  ctx.log.info(
    { env_id: env.id, vni, hosts: involved.size, vms: live.length },
    'environment private network in step',
  );
}
