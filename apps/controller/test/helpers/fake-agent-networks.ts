import { agentRoutes, CreateNetworkReq, type Network } from '@apiary/protocol';
import type { Hono } from 'hono';

/**
 * The networks VMs join, as a fake agent serves them (`/api/networks`): `nat` built in, others
 * kept in memory, a network listed in `usedBy` refused on delete naming its VMs by internal id
 * as the real agent does.
 */
export class FakeNetworks {
  readonly items = new Map<string, Network>([
    ['nat', network({ name: 'nat', kind: 'nat', link: 'apiarystub0', subnet: '10.213.0.0/16' })],
  ]);
  /** Internal VM ids on each network (deleting it is refused while any). */
  readonly usedBy = new Map<string, string[]>();
  /** The role of the controller's key here: below admin, changes are refused as the agent does. */
  keyRole: 'admin' | 'operator' = 'admin';

  serve(app: Hono) {
    const err = (status: 403 | 404 | 409, code: string, msg: string) =>
      Response.json({ msg, code, requestId: 'req_fake' }, { status });
    app.get(agentRoutes.listNetworks.path, (c) => c.json({ items: [...this.items.values()] }));
    app.post(agentRoutes.createNetwork.path, async (c) => {
      if (this.keyRole !== 'admin') {
        return err(403, 'forbidden', `this key has role ${this.keyRole}; admin is required`);
      }
      const body = CreateNetworkReq.parse(await c.req.json());
      if (this.items.has(body.name)) {
        return err(409, 'conflict', `network ${body.name} already exists`);
      }
      const made = network({ ...body, link: body.link ?? `apiaryns${this.items.size}0` });
      this.items.set(made.name, made);
      return c.json(made, 201);
    });
    app.delete(agentRoutes.deleteNetwork.path, (c) => {
      const name = c.req.param('name');
      if (!this.items.has(name)) return err(404, 'not_found', `network ${name} not found`);
      const vms = this.usedBy.get(name) ?? [];
      if (vms.length > 0) {
        return err(
          409,
          'conflict',
          `network ${name} is in use by ${vms.map((v) => `vm:${v}`).join(', ')}`,
        );
      }
      this.items.delete(name);
      return c.json({ ok: true });
    });
  }
}

function network(n: {
  name: string;
  kind: Network['kind'];
  link: string;
  vlan?: number;
  subnet?: string;
  gateway?: string;
  dns?: string[];
  range?: string;
}): Network {
  return {
    name: n.name,
    kind: n.kind,
    link: n.link,
    vlan: n.vlan ?? null,
    addressing: n.subnet ? 'static' : 'dhcp',
    subnet: n.subnet ?? null,
    gateway: n.gateway ?? null,
    dns: n.dns ?? [],
    range: n.range ?? null,
    vm_count: 0,
  };
}
