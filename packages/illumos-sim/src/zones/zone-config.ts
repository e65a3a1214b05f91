import type {
  HostState,
  ResourceType,
  ZoneConfig,
  ZoneRecord,
  ZoneResource,
} from '../core/state-types.js';

/** Small accessors over a zone configuration, shared by zonecfg, zoneadm and the brand. */
export function resourcesOf(config: ZoneConfig, type: ResourceType): ZoneResource[] {
  return config.resources.filter((r) => r.type === type);
}

export function attrValue(config: ZoneConfig, name: string): string | undefined {
  return resourcesOf(config, 'attr').find((r) => r.props.name === name)?.props.value;
}

export function findZone(state: HostState, name: string): ZoneRecord | undefined {
  return state.zones.find((z) => z.name === name);
}

export function zonepathOf(zone: ZoneRecord): string | undefined {
  return zone.config.props.zonepath;
}

/** zonecfg_validate_zonename: `[A-Za-z0-9][A-Za-z0-9_.-]*`, under 64 characters, not `global`. */
export function isValidZoneName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) && name.length < 64 && name !== 'global';
}

export const BRANDS = ['bhyve', 'ipkg', 'lipkg', 'sparse', 'pkgsrc', 'lx', 'kvm', 'illumos', 'emu'];

/** Templates for `create` / `create -t NAME` (a lowercase name gets the OMNI prefix). */
export function templateConfig(name: string): ZoneConfig | undefined {
  const base = (brand: string, ipType: string): ZoneConfig => ({
    props: { brand, autoboot: 'false', 'ip-type': ipType },
    resources: [],
  });
  switch (name) {
    case 'SUNWblank':
    case 'SYSblank':
      return base('ipkg', 'shared');
    case 'SUNWdefault':
    case 'SYSdefault':
      return base('ipkg', 'exclusive');
    default: {
      const m = /^OMNI(bhyve|kvm|lx|ipkg|lipkg|sparse|pkgsrc|illumos|emu)$/.exec(name);
      return m ? base(m[1]!, 'exclusive') : undefined;
    }
  }
}
