import type { CreateLinkReq, CreateNetworkReqInput } from '@apiary/protocol';
import type { Command } from 'commander';
import { onOffFlag } from '../lib/byte-flags.js';
import { withContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';
import { resolveHostId } from '../lib/host-names.js';
import { orNearName } from '../lib/near-name.js';
import {
  renderAddresses,
  renderForwarding,
  renderLinks,
  renderNat,
  renderNetwork,
  renderNetworks,
} from './render-host-resources.js';

/*
 * `apiary hosts links|addresses|nat|forwarding|networks ...` (issue 14): a host's links and
 * the networks VMs join, through the controller (super-admins and the host's org admins).
 */

const LINK_KINDS = ['etherstub', 'vnic', 'vlan'] as const;
const NETWORK_KINDS = ['bridged', 'private'] as const;

function vlanFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError('--vlan is a VLAN id, 1 to 4094');
  return Number(text);
}

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new UsageError(`${flag} is ${allowed.join(', ').replace(/, ([^,]*)$/, ' or $1')}`);
  }
  return text as T;
}

export function registerHostNetworkCommands(hosts: Command): void {
  const links = hosts
    .command('links')
    .description("a host's datalinks (phys, aggr, vnic, etherstub, vlan), Apiary's marked")
    .argument('<host>', 'hostname or id')
    .action(
      withContext(async (ctx, named: string) => {
        const id = await resolveHostId(ctx.client(), named);
        const list = await ctx.client().listHostLinks({ params: { id } });
        ctx.out.result(list, (l) => renderLinks(l.items));
      }),
    );
  links
    .command('create <host> <name>')
    .description('create a host-owned etherstub, VNIC or VLAN')
    .requiredOption('--kind <kind>', 'etherstub, vnic or vlan')
    .option('--over <link>', 'vnic, vlan: the link it goes over')
    .option('--vlan <id>', 'vlan (required), vnic: the VLAN id')
    .action(
      withContext(
        async (
          ctx,
          named: string,
          name: string,
          o: { kind: string; over?: string; vlan?: string },
        ) => {
          const body: CreateLinkReq = {
            kind: oneOf('--kind', o.kind, LINK_KINDS),
            name,
            over: o.over,
            vlan_id: vlanFlag(o.vlan),
          };
          const id = await resolveHostId(ctx.client(), named);
          const link = await ctx.client().createHostLink({ params: { id }, body });
          ctx.out.result(link, (l) => renderLinks([l]));
        },
      ),
    );
  links
    .command('delete <host> <name>')
    .description('delete a host-owned link (refused for Apiary’s links and links in use)')
    .action(
      withContext(async (ctx, named: string, name: string) => {
        const client = ctx.client();
        const id = await resolveHostId(client, named);
        await orNearName(
          'link',
          name,
          async () => (await client.listHostLinks({ params: { id } })).items.map((l) => l.name),
          () => client.deleteHostLink({ params: { id, name } }),
        );
        ctx.out.result({ host: id, link: name, deleted: true }, () => `link ${name} deleted`);
      }),
    );

  hosts
    .command('addresses <host>')
    .description("a host's IP addresses (global zone), Apiary's marked")
    .action(
      withContext(async (ctx, named: string) => {
        const id = await resolveHostId(ctx.client(), named);
        ctx.out.result(await ctx.client().listHostAddresses({ params: { id } }), renderAddresses);
      }),
    );
  hosts
    .command('nat <host>')
    .description("a host's active NAT rules, Apiary's marked")
    .action(
      withContext(async (ctx, named: string) => {
        const id = await resolveHostId(ctx.client(), named);
        ctx.out.result(await ctx.client().getHostNat({ params: { id } }), renderNat);
      }),
    );
  hosts
    .command('forwarding <host>')
    .description('show IP forwarding on a host, or turn it on or off')
    .option('--ipv4 <on|off>', 'IPv4 forwarding (stays on: the nat network needs it)')
    .option('--ipv6 <on|off>', 'IPv6 forwarding')
    .action(
      withContext(async (ctx, named: string, o: { ipv4?: string; ipv6?: string }) => {
        const ipv4 = onOffFlag('--ipv4', o.ipv4);
        const ipv6 = onOffFlag('--ipv6', o.ipv6);
        const client = ctx.client();
        const id = await resolveHostId(client, named);
        const forwarding =
          ipv4 === undefined && ipv6 === undefined
            ? await client.getHostForwarding({ params: { id } })
            : await client.setHostForwarding({ params: { id }, body: { ipv4, ipv6 } });
        ctx.out.result(forwarding, renderForwarding);
      }),
    );

  const networks = hosts
    .command('networks')
    .description('the networks VMs can join on a host (nat is always there)')
    .argument('<host>', 'hostname or id')
    .action(
      withContext(async (ctx, named: string) => {
        const id = await resolveHostId(ctx.client(), named);
        const list = await ctx.client().listHostNetworks({ params: { id } });
        ctx.out.result(list, (l) => renderNetworks(l.items));
      }),
    );
  networks
    .command('create <host> <name>')
    .description('create a bridged (over a link, optional VLAN) or private network on a host')
    .requiredOption('--kind <kind>', 'bridged or private')
    .option('--link <link>', 'bridged: the physical link or aggregation VMs go over')
    .option('--vlan <id>', 'bridged: tag the VMs’ traffic with this VLAN id')
    .option('--subnet <cidr>', 'static addresses from this subnet (bridged without it: DHCP)')
    .option('--gateway <ip>', 'bridged with --subnet: the router VMs send through')
    .option('--dns <ip,...>', 'name servers, comma-separated')
    .option('--range <first-last>', 'addresses VMs get (default: the subnet but the gateway)')
    .action(
      withContext(async (ctx, named: string, name: string, o: NetworkFlags) => {
        const body: CreateNetworkReqInput = {
          name,
          kind: oneOf('--kind', o.kind, NETWORK_KINDS),
          link: o.link,
          vlan: vlanFlag(o.vlan),
          subnet: o.subnet,
          gateway: o.gateway,
          dns: o.dns
            ?.split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          range: o.range,
        };
        const id = await resolveHostId(ctx.client(), named);
        ctx.out.result(
          await ctx.client().createHostNetwork({ params: { id }, body }),
          renderNetwork,
        );
      }),
    );
  networks
    .command('delete <host> <name>')
    .description('delete a network of a host (refused while VMs are on it)')
    .action(
      withContext(async (ctx, named: string, name: string) => {
        const client = ctx.client();
        const id = await resolveHostId(client, named);
        await orNearName(
          'network',
          name,
          async () => (await client.listHostNetworks({ params: { id } })).items.map((n) => n.name),
          () => client.deleteHostNetwork({ params: { id, name } }),
        );
        ctx.out.result({ host: id, network: name, deleted: true }, () => `network ${name} deleted`);
      }),
    );
}

interface NetworkFlags {
  kind: string;
  link?: string;
  vlan?: string;
  subnet?: string;
  gateway?: string;
  dns?: string;
  range?: string;
}
