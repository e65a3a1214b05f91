import type { NetworkRow } from './network-store.js';

/*
 * Who would lose a link if it were deleted: links over it (and the VM a VNIC over it
 * belongs to), networks built on it, IP interfaces plumbed on it. Computed from listings the
 * caller already read, so finding users never runs a command per link.
 */

export interface LinkFacts {
  links: Array<{ link: string; over: string }>;
  /** addrobj names (`IF/name`). */
  addresses: string[];
  networks: Pick<NetworkRow, 'name' | 'link'>[];
  vmOfVnic: ReadonlyMap<string, string>;
}

export function linkUsers(facts: LinkFacts): Map<string, string[]> {
  const users = new Map<string, string[]>();
  const add = (link: string, who: string) => {
    const list = users.get(link) ?? [];
    if (!list.includes(who)) list.push(who);
    users.set(link, list);
  };
  for (const l of facts.links) {
    for (const lower of l.over.split(',').filter(Boolean)) {
      add(lower, `link:${l.link}`);
      const vm = facts.vmOfVnic.get(l.link);
      if (vm) add(lower, `vm:${vm}`);
    }
  }
  for (const n of facts.networks) add(n.link, `network:${n.name}`);
  for (const a of facts.addresses) add(a.split('/')[0] as string, `address:${a}`);
  for (const [vnic, vm] of facts.vmOfVnic) add(vnic, `vm:${vm}`);
  return users;
}
