import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostState } from '../core/state-types.js';
import { restartVarpd } from '../net/overlay-model.js';
import { emptyInstance, loadIpfText, loadNatText } from '../net/rule-loading.js';

/**
 * The SMF services the simulator knows, with their state derived from the host model:
 * network/ipfilter is IP Filter's global instance (start = `ipf -E` and load
 * /etc/ipf/ipf.conf and /etc/ipf/ipnat.conf; stop = `ipf -D`; refresh/restart discard runtime
 * rules and reload the files), network/ipv4-forwarding is routeadm's SMF view, network/varpd
 * restarts re-read the overlays' `files` mappings.
 */
export interface Service {
  fmri: string;
  state(s: HostState): 'online' | 'disabled';
  enable?(s: HostState, hostRoot: string): void;
  disable?(s: HostState): void;
  refresh?(s: HostState, hostRoot: string): void;
  /** What a restart does when it differs from a refresh. */
  restart?(s: HostState, hostRoot: string): void;
}

function reloadIpfilter(s: HostState, hostRoot: string): void {
  const inst = emptyInstance(true);
  const read = (name: string) => {
    const path = join(hostRoot, 'etc', 'ipf', name);
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  };
  loadIpfText(inst, read('ipf.conf'), false, true);
  loadNatText(inst, read('ipnat.conf'), false);
  s.ipfilter.global = inst;
}

function forwarding(proto: 'ipv4' | 'ipv6'): Service {
  return {
    fmri: `svc:/network/${proto}-forwarding:default`,
    state: (s) => (s.forwarding[proto].smf === 'enabled' ? 'online' : 'disabled'),
    enable: (s) => {
      Object.assign(s.forwarding[proto], { smf: 'enabled', current: 'on', persistent: 'on' });
    },
    disable: (s) => {
      Object.assign(s.forwarding[proto], { smf: 'disabled', current: 'off', persistent: 'off' });
    },
  };
}

const always = (fmri: string): Service => ({ fmri, state: () => 'online' });

export const SERVICES: Service[] = [
  {
    fmri: 'svc:/network/ipfilter:default',
    state: (s) => (s.ipfilter.global.enabled ? 'online' : 'disabled'),
    enable: (s, hostRoot) => {
      if (!s.ipfilter.global.enabled) reloadIpfilter(s, hostRoot);
    },
    disable: (s) => {
      s.ipfilter.global = emptyInstance(false);
    },
    refresh: (s, hostRoot) => {
      if (s.ipfilter.global.enabled) reloadIpfilter(s, hostRoot);
    },
  },
  forwarding('ipv4'),
  forwarding('ipv6'),
  {
    // varpd (usr/src/cmd/varpd): always online here; a restart re-reads `files` mappings.
    fmri: 'svc:/network/varpd:default',
    state: () => 'online',
    restart: (s, hostRoot) => restartVarpd(s, hostRoot),
  },
  always('svc:/system/zones:default'),
  always('svc:/network/physical:default'),
  always('svc:/milestone/network:default'),
  always('svc:/system/filesystem/local:default'),
];

/** SMF pattern matching: full FMRI, `network/ipfilter`, `ipfilter`, with or without instance. */
export function matchServices(pattern: string): Service[] {
  const p = pattern.replace(/^svc:\//, '');
  return SERVICES.filter((svc) => {
    const full = svc.fmri.replace(/^svc:\//, '');
    const noInstance = full.replace(/:default$/, '');
    return full === p || noInstance === p || full.endsWith(`/${p}`) || noInstance.endsWith(`/${p}`);
  });
}
