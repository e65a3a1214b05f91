import type { HostExec } from './exec.js';
import { failedWith } from './host-command-error.js';
import { checkName, LinkName } from './names.js';

/*
 * VXLAN overlay devices with the varpd `files` search plugin (dladm(8) create-overlay,
 * overlay(7)): the device properties `vxlan/listen_ip` and `vxlan/listen_port` say where this
 * host's end of the tunnel listens, `files/config` names the JSON mapping varpd reads.
 */

export interface OverlaySpec {
  name: string;
  vni: number;
  mappingFile: string;
  listenIp: string;
  listenPort: number;
}

function checkSpec(spec: OverlaySpec): void {
  if (!Number.isInteger(spec.vni) || spec.vni < 1 || spec.vni > 16_777_214)
    throw new TypeError(`bad VNI ${spec.vni}`);
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(spec.listenIp))
    throw new TypeError(`bad underlay address ${spec.listenIp}`);
  if (!Number.isInteger(spec.listenPort) || spec.listenPort < 1 || spec.listenPort > 65535)
    throw new TypeError(`bad underlay port ${spec.listenPort}`);
  // The path goes into a -p property list, where `,` and `=` separate values.
  if (!/^\/[A-Za-z0-9_./-]+$/.test(spec.mappingFile))
    throw new TypeError(`bad mapping file path ${spec.mappingFile}`);
}

/** `dladm create-overlay -e vxlan -s files -p ... -v VNI NAME`; false when it already exists. */
export async function createVxlanOverlay(exec: HostExec, spec: OverlaySpec): Promise<boolean> {
  checkSpec(spec);
  const props = [
    `vxlan/listen_ip=${spec.listenIp}`,
    `vxlan/listen_port=${spec.listenPort}`,
    `files/config=${spec.mappingFile}`,
  ].join(',');
  try {
    await exec.run('dladm', [
      'create-overlay',
      '-e',
      'vxlan',
      '-s',
      'files',
      '-p',
      props,
      '-v',
      String(spec.vni),
      checkName(LinkName, spec.name, 'link'),
    ]);
    return true;
  } catch (error) {
    if (failedWith(error, 'object already exists')) return false;
    throw error;
  }
}

/** `dladm delete-overlay NAME`; false when there was none (an undo repeated after a crash). */
export async function deleteOverlayIfPresent(exec: HostExec, name: string): Promise<boolean> {
  try {
    await exec.run('dladm', ['delete-overlay', checkName(LinkName, name, 'link')]);
    return true;
  } catch (error) {
    if (failedWith(error, 'object not found')) return false;
    throw error;
  }
}
