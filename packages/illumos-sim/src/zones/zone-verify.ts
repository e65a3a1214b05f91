import type { HostState, ZoneRecord } from '../core/state-types.js';
import { fsVerifyErrors } from './zone-filesystem.js';
import { zonepathErrors } from './zonepath-check.js';

/**
 * verify_details() of zoneadm, which verify, install, clone, ready, boot and reboot run after
 * sanity_check() (the state refusals) and before asking zoneadmd: the zonepath's permissions,
 * then the configuration's file systems. Any problem ends with `zoneadm: zone NAME failed to
 * verify` (exit 1). Undefined when all is well.
 */
export function verifyDetails(
  state: HostState,
  hostRoot: string,
  zone: ZoneRecord,
  cmd: 'verify' | 'install' | 'clone' | 'ready' | 'boot' | 'reboot',
): string | undefined {
  const zonepath = zone.config.props.zonepath;
  const problems =
    (zonepath ? zonepathErrors(hostRoot, zonepath, cmd) : '') +
    fsVerifyErrors(state, hostRoot, zone);
  return problems === '' ? undefined : `${problems}zoneadm: zone ${zone.name} failed to verify\n`;
}
