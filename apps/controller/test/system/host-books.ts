import { type AgentDaemon, hostFootprint } from '@apiary/testkit';
import pg from 'pg';
import { expect } from 'vitest';

/** One host as its own commands show it and as the controllers' database books it. */
export interface HostAgainstBooks {
  hostId: string;
  /** Zones on the host (`zoneadm list -cp`), sorted. */
  zones: string[];
  /** The VMs whose disks are on the host: owners of the zvols under `<pool>/apiary/vms/`. */
  zvolOwners: string[];
  /** The VMs the database places on this host and has not deleted (ids are zone names). */
  booked: string[];
}

/**
 * Reads every agent's simulated host and the controllers' books (the `vms` table of the shared
 * PostgreSQL database, whichever controller wrote it).
 */
export async function hostsAgainstBooks(
  databaseUrl: string,
  agents: AgentDaemon[],
): Promise<HostAgainstBooks[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let rows: { id: string; host_id: string }[];
  try {
    ({ rows } = await client.query<{ id: string; host_id: string }>(
      "SELECT id, host_id FROM vms WHERE host_id IS NOT NULL AND state <> 'deleted'",
    ));
  } finally {
    await client.end();
  }
  return Promise.all(
    agents.map(async (agent) => {
      const found = await hostFootprint(agent.simDir);
      const owners = found.zvols
        .map((zvol) => /\/apiary\/vms\/([^/]+)\//.exec(zvol)?.[1])
        .filter((owner): owner is string => owner !== undefined);
      return {
        hostId: agent.hostId,
        zones: [...found.zones].sort(),
        zvolOwners: [...new Set(owners)].sort(),
        booked: rows
          .filter((r) => r.host_id === agent.hostId)
          .map((r) => r.id)
          .sort(),
      };
    }),
  );
}

/**
 * Every simulated host holds exactly the zones and zvols of the VMs the controllers' books
 * place on it: nothing the books do not know of (a VM made by a controller that died before
 * recording it), nothing missing (a VM booked but never made, or lost). Call it once the fleet
 * has settled; it is what a kill in the middle of a create must still satisfy after another
 * controller adopted the work.
 */
export async function expectHostsMatchBooks(
  databaseUrl: string,
  agents: AgentDaemon[],
): Promise<HostAgainstBooks[]> {
  const hosts = await hostsAgainstBooks(databaseUrl, agents);
  for (const host of hosts) {
    expect({ host: host.hostId, zones: host.zones, zvolOwners: host.zvolOwners }).toEqual({
      host: host.hostId,
      zones: host.booked,
      zvolOwners: host.booked,
    });
  }
  return hosts;
}
