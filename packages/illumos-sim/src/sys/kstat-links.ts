import type { LinkRecord } from '../core/state-types.js';
import type { KstatContext } from './kstat-context.js';
import { instance } from './kstat-context.js';
import { type KstatInstance, str, u32, u64 } from './kstat-types.js';
import { linkBytesAt } from './load-devices.js';
import { AVG_PACKET_BYTES } from './load-state.js';

/**
 * `link:0:LINK` for every datalink, as the global zone sees them (dls_stat_create() in
 * usr/src/uts/common/io/dls/dls_stat.c). rbytes/ipackets/obytes/opackets are the kernel's
 * UINT32 copies of the 64-bit counters and wrap at 2^32; readers use the *64 ones. A VNIC's
 * traffic counts on the NIC under it too (mac_stat_get on the physical MAC). `zonename` is
 * the zone a running exclusive-IP zone took the link into, otherwise `global`.
 */
const LINK_STATE = { up: 1, down: 0, unknown: -1 } as const;
const LINK_DUPLEX = { full: 2, half: 1 } as const;

function speedOf(links: LinkRecord[], link: LinkRecord): number {
  if (link.class === 'etherstub') return 0;
  if (link.class === 'vnic' && link.over) {
    const lower = links.find((l) => l.name === link.over);
    if (lower) return speedOf(links, lower);
  }
  return link.speed;
}

function duplexOf(links: LinkRecord[], link: LinkRecord): number {
  if (link.class === 'vnic' && link.over) {
    const lower = links.find((l) => l.name === link.over);
    return lower ? duplexOf(links, lower) : 0;
  }
  return LINK_DUPLEX[link.duplex as keyof typeof LINK_DUPLEX] ?? 0;
}

function zoneOf(ctx: KstatContext, link: LinkRecord): string {
  const zone = ctx.state.zones.find(
    (z) =>
      z.state === 'running' &&
      z.config.resources.some((r) => r.type === 'net' && r.props.physical === link.name),
  );
  return zone?.name ?? 'global';
}

export function linkKstats(ctx: KstatContext): KstatInstance[] {
  const { links } = ctx.state;
  const bytes = linkBytesAt(ctx.state, ctx.now);
  return links.map((link) => {
    const { rx, tx } = bytes.get(link.name) ?? { rx: 0n, tx: 0n };
    const ipackets = rx / BigInt(AVG_PACKET_BYTES);
    const opackets = tx / BigInt(AVG_PACKET_BYTES);
    return instance(ctx, 'link', 0, link.name, 'net', [
      ['ifspeed', u64(BigInt(speedOf(links, link)) * 1_000_000n)],
      ['multircv', u32(0)],
      ['brdcstrcv', u32(0)],
      ['multixmt', u32(0)],
      ['brdcstxmt', u32(0)],
      ['norcvbuf', u32(0)],
      ['ierrors', u32(0)],
      ['noxmtbuf', u32(0)],
      ['oerrors', u32(0)],
      ['collisions', u32(0)],
      ['rbytes', u32(rx)],
      ['ipackets', u32(ipackets)],
      ['obytes', u32(tx)],
      ['opackets', u32(opackets)],
      ['rbytes64', u64(rx)],
      ['ipackets64', u64(ipackets)],
      ['obytes64', u64(tx)],
      ['opackets64', u64(opackets)],
      ['link_state', u32(LINK_STATE[link.state] ?? -1)],
      ['link_duplex', u32(duplexOf(links, link))],
      ['unknowns', u32(0)],
      ['zonename', str(zoneOf(ctx, link))],
    ]);
  });
}
