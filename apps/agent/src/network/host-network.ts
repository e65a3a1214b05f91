import type { Logger } from '@apiary/server-kit';
import { createEtherstub, createVnic, showLinks } from '../host/dladm.js';
import type { HostExec } from '../host/exec.js';
import {
  createStaticAddr,
  enableIpv4Forwarding,
  getIpv4Forwarding,
  showAddrs,
} from '../host/ipadm.js';
import { addNatRules, listNatRules, normalizeNatRule, renderMapRules } from '../host/ipnat.js';
import type { Layout } from '../host/layout.js';

/*
 * The host's private NAT network, shared by every VM: an etherstub, a gateway VNIC on it with
 * the subnet's first address, IPv4 forwarding, and outbound `map` rules to the external link.
 * Each piece is checked before it is created, so ensuring it is cheap and safe to repeat (at
 * every start, and after the host rebooted or IP Filter was refreshed and dropped the rules).
 */
export class HostNetwork {
  private ready: Promise<void> | null = null;

  constructor(
    private readonly exec: HostExec,
    private readonly layout: Layout,
    private readonly log: Logger,
  ) {}

  /** Ensure once per process; a failure is forgotten so the next caller tries again. */
  ensure(): Promise<void> {
    if (!this.ready) {
      this.ready = this.ensureNow().catch((error) => {
        this.ready = null;
        throw error;
      });
    }
    return this.ready;
  }

  private async ensureNow(): Promise<void> {
    const { exec, layout } = this;
    const links = new Map((await showLinks(exec)).map((l) => [l.link, l]));
    if (!links.has(layout.etherstub)) await createEtherstub(exec, layout.etherstub);
    if (!links.has(layout.gatewayLink))
      await createVnic(exec, layout.gatewayLink, layout.etherstub);
    const addrs = await showAddrs(exec);
    if (!addrs.some((a) => a.addrobj === layout.gatewayAddrObj)) {
      await createStaticAddr(
        exec,
        layout.gatewayAddrObj,
        `${layout.subnet.gateway}/${layout.subnet.prefix}`,
      );
    }
    if (!(await getIpv4Forwarding(exec))) await enableIpv4Forwarding(exec);
    const loaded = new Set(await listNatRules(exec));
    const missing = renderMapRules(layout.externalLink, layout.subnet.cidr).filter(
      (r) => !loaded.has(normalizeNatRule(r)),
    );
    await addNatRules(exec, missing);
    this.log.info(
      {
        etherstub: layout.etherstub,
        gateway: layout.subnet.gateway,
        subnet: layout.subnet.cidr,
        external_link: layout.externalLink,
      },
      'host network ready',
    );
  }
}
