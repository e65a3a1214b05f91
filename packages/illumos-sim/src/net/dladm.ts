import { GetoptError, getopt, lastValue } from '../core/getopt.js';
import { CommandExit, type CommandHandler, type CommandIo } from '../core/io.js';
import { updateState } from '../core/state-store.js';
import { die, fullUsage, optionError, statusText, usage } from './dladm-errors.js';
import { createOverlayCmd, deleteOverlayCmd, showOverlayCmd } from './dladm-overlay.js';
import { joinPropOptions, parseLinkProps } from './dladm-props.js';
import { showAggr, showEtherstub, showLink, showPhys, showVlan, showVnic } from './dladm-show.js';
import { createVlan, deleteVlan } from './dladm-vlan.js';
import {
  applyLinkProps,
  createEtherstub,
  createVnic,
  deleteVnicOrEtherstub,
} from './dladm-vnic.js';
import { findLink } from './link-names.js';

/**
 * dladm: links, VNICs, etherstubs, VLANs, overlays and (read-only) aggregations. Subcommands
 * live in dladm-vnic.ts, dladm-vlan.ts, dladm-overlay.ts and dladm-show.ts; errors and usage
 * texts in dladm-errors.ts. No subcommand means show-link.
 */
function setLinkprop(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'tR:p:');
  if (opts.operands.length !== 1 || !opts.values.has('p')) usage();
  const props = parseLinkProps(joinPropOptions(opts.values.get('p')));
  if (!props) die(`invalid link property '${lastValue(opts, 'p')}'`);
  const name = opts.operands[0]!;
  return updateState(io.root, (state) => {
    const link = findLink(state, name);
    if (!link) die(`invalid link name '${name}'`);
    const lower = findLink(state, link.over ?? '');
    const max =
      link.class === 'overlay' ? 8900 : lower?.class === 'etherstub' || !lower ? 9000 : lower.mtu;
    const bad = applyLinkProps(link, props, max);
    if (bad) die(`set-linkprop failed: ${statusText(bad)}`);
    return 0;
  });
}

type Sub = (io: CommandIo, args: string[]) => number | Promise<number>;

const SUBCOMMANDS: Record<string, Sub> = {
  help: (io) => {
    io.err(fullUsage());
    return 0;
  },
  'show-link': showLink,
  'show-vnic': showVnic,
  'show-phys': showPhys,
  'show-etherstub': showEtherstub,
  'show-vlan': showVlan,
  'show-aggr': showAggr,
  'show-overlay': showOverlayCmd,
  'create-vnic': createVnic,
  'delete-vnic': (io, a) => deleteVnicOrEtherstub(io, a, false),
  'create-etherstub': createEtherstub,
  'delete-etherstub': (io, a) => deleteVnicOrEtherstub(io, a, true),
  'create-vlan': createVlan,
  'delete-vlan': deleteVlan,
  'create-overlay': createOverlayCmd,
  'delete-overlay': deleteOverlayCmd,
  'set-linkprop': setLinkprop,
};

export const dladm: CommandHandler = async (io, args) => {
  const [sub = 'show-link', ...rest] = args;
  const handler = SUBCOMMANDS[sub];
  try {
    if (!handler) throw new CommandExit(1, `dladm: unknown subcommand '${sub}'\n${fullUsage()}`);
    return await handler(io, rest);
  } catch (error) {
    if (error instanceof GetoptError) throw optionError(error, sub);
    throw error;
  }
};
