import { posix } from 'node:path';
import type { AgentConfig } from '../config.js';

/*
 * Where everything an Apiary VM uses lives on the host, derived from configuration and a VM's
 * id and network slot. Keeping this in one pure module is what lets the undo of every step, the
 * reconciler and the tests agree on names without storing them.
 */

export interface Layout {
  pool: string;
  /** `<pool>/apiary`: images and VM disks live below it. */
  apiaryRoot: string;
  /** Parent directory of zonepaths (zone root datasets are mounted below it). */
  zonesDir: string;
  imagesRoot: string;
  vmsRoot: string;
  etherstub: string;
  gatewayLink: string;
  gatewayAddrObj: string;
  externalLink: string;
  subnet: Subnet;
  imageDataset(hex: string): string;
  imageSnapshot(hex: string): string;
  incomingImageDataset(token: string): string;
  vmDataset(vmId: string): string;
  vmDisk(vmId: string): string;
  /** A data disk (bhyve `disk<n>`): a volume beside the boot disk in the VM's dataset. */
  vmDataDisk(vmId: string, n: number): string;
  /** A snapshot `name` of `dataset` (a VM's disk). */
  snapshotOf(dataset: string, name: string): string;
  /** iso images: the directory (lofs-mounted read-only into zones) and the file in it. */
  isoDir(hex: string): string;
  isoFile(hex: string): string;
  /** file backend: the image's disk file and a VM's, as host paths. */
  imageFile(hex: string): string;
  vmDiskFile(vmId: string): string;
  /** Host directory of a VM's dataset (mounted there by inheritance). */
  vmDir(vmId: string): string;
  /** Mountpoints given to the two parent datasets. */
  imagesMount: string;
  vmsMount: string;
  zonepath(vmId: string): string;
  vnic(slot: number): string;
  /** The VNIC of a VM's NIC `idx` (0 = primary; `vnic(slot)` is NIC 0). */
  vmNic(slot: number, idx: number): string;
  /** Whether `link` is one of the VNICs `vmNic(slot, *)` names. */
  isVmNicOf(slot: number, link: string): boolean;
  ip(slot: number): string;
  /** Host path (as the host sees it) of the VM's cloud-init user-data file. */
  userDataPath(vmId: string): string;
  /** Host path of the ipf.conf the bhyve brand loads into the zone's filter instance at boot. */
  ipfConfPath(vmId: string): string;
  /** Host path of the zone's init.log, where bhyve says why it exited. */
  initLogPath(vmId: string): string;
  /** The VXLAN overlay device of the environment overlay with this VNI (issue 14). */
  overlayLink(vni: number): string;
  /** Host path of that overlay's varpd `files/config` mapping file. */
  overlayMappingFile(vni: number): string;
  /** Real path of a host path (under --host-root). */
  real(hostPath: string): string;
}

export interface Subnet {
  cidr: string;
  prefix: number;
  /** Network address as an integer. */
  base: number;
  gateway: string;
  /** Highest usable slot (slot 1 is the first VM address, after the gateway). */
  maxSlot: number;
}

export function parseSubnet(cidr: string): Subnet {
  const [addr, bits] = cidr.split('/') as [string, string];
  const prefix = Number(bits);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const base = (ipToInt(addr) & mask) >>> 0;
  const size = 2 ** (32 - prefix);
  return {
    cidr: `${intToIp(base)}/${prefix}`,
    prefix,
    base,
    gateway: intToIp(base + 1),
    // Network address, gateway and broadcast are not VM addresses.
    maxSlot: size - 3,
  };
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

type LayoutConfig = Pick<
  AgentConfig,
  'pool' | 'zonesDir' | 'hostRoot' | 'natSubnet' | 'externalLink'
>;

export function createLayout(config: LayoutConfig): Layout {
  const subnet = parseSubnet(config.natSubnet);
  const root = `${config.pool}/apiary`;
  return {
    pool: config.pool,
    apiaryRoot: root,
    zonesDir: posix.normalize(config.zonesDir),
    imagesRoot: `${root}/images`,
    vmsRoot: `${root}/vms`,
    etherstub: 'apiarystub0',
    gatewayLink: 'apiarygw0',
    gatewayAddrObj: 'apiarygw0/v4',
    externalLink: config.externalLink,
    subnet,
    imageDataset: (hex) => `${root}/images/${hex}`,
    imageSnapshot: (hex) => `${root}/images/${hex}@base`,
    incomingImageDataset: (token) => `${root}/images/incoming-${token}`,
    vmDataset: (vmId) => `${root}/vms/${vmId}`,
    vmDisk: (vmId) => `${root}/vms/${vmId}/disk0`,
    vmDataDisk: (vmId, n) => `${root}/vms/${vmId}/data${n}`,
    snapshotOf: (dataset, name) => `${dataset}@${name}`,
    isoDir: (hex) => `/var/apiary/images/${hex}`,
    isoFile: (hex) => `/var/apiary/images/${hex}/image.iso`,
    imagesMount: '/var/apiary/images',
    vmsMount: '/var/apiary/vms',
    imageFile: (hex) => `/var/apiary/images/${hex}/disk.img`,
    vmDiskFile: (vmId) => `/var/apiary/vms/${vmId}/disk0.img`,
    vmDir: (vmId) => `/var/apiary/vms/${vmId}`,
    zonepath: (vmId) => posix.join(config.zonesDir, vmId),
    // Short (<= 15 characters, Linux guests rename NICs to it) and ending in a digit (dladm).
    vnic: (slot) => `apiary${slot}n0`,
    vmNic: (slot, idx) => `apiary${slot}n${idx}`,
    isVmNicOf: (slot, link) => new RegExp(`^apiary${slot}n\\d+$`).test(link),
    ip: (slot) => {
      if (!Number.isInteger(slot) || slot < 1 || slot > subnet.maxSlot) {
        throw new RangeError(`slot ${slot} outside the NAT subnet`);
      }
      return intToIp(subnet.base + 1 + slot);
    },
    userDataPath: (vmId) => `/var/apiary/cloud-init/${vmId}/user-data`,
    ipfConfPath: (vmId) => posix.join(config.zonesDir, vmId, 'etc', 'ipf.conf'),
    initLogPath: (vmId) => posix.join(config.zonesDir, vmId, 'root', 'tmp', 'init.log'),
    // `apiaryov<vni>0`: ends in a number without a leading zero, as link names must.
    overlayLink: (vni) => `apiaryov${vni}0`,
    overlayMappingFile: (vni) => `/var/apiary/overlays/vni${vni}.json`,
    real: (hostPath) => posix.join(config.hostRoot, hostPath),
  };
}
