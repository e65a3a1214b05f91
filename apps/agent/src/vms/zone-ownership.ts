import { exportZoneConfig } from '../host/zonecfg.js';
import { zoneAttrs } from '../host/zonecfg-format.js';
import type { VmContext } from './vm-context.js';
import { ATTR } from './zone-spec.js';

/**
 * Whether the zone named like this VM is ours. Undo steps never halt, uninstall or delete a zone
 * that does not carry our VM id: a zone of that name made by someone else is left alone.
 */
export async function zoneOwnership(ctx: VmContext): Promise<'absent' | 'ours' | 'foreign'> {
  const config = await exportZoneConfig(ctx.exec, ctx.vm.id);
  if (!config) return 'absent';
  return zoneAttrs(config)[ATTR.vmId] === ctx.vm.id ? 'ours' : 'foreign';
}
