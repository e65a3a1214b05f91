// Writes a large fleet straight into a controller's database (no API, no placement): hosts,
// environments and their VMs, in the shapes the controller writes them. Used by the list and
// dashboard benchmarks. The database must be migrated and bootstrapped (the default
// organization exists); `core` is a controller core from apps/controller/dist/embed.js.

/** Rows per INSERT: 500 rows of the widest table stay well under both engines' limits. */
const CHUNK = 500;

const ENV_STATES = ['active', 'active', 'active', 'active', 'stopped', 'degraded', 'failed'];

async function insertChunked(tx, table, rows) {
  for (let i = 0; i < rows.length; i += CHUNK)
    await tx.insert(table).values(rows.slice(i, i + CHUNK));
}

/**
 * Seeds `hosts` hosts, `envs` environments and `vms` VMs (spread over the environments, 1 to
 * 6 each, on hosts round-robin) into the default organization. Returns the org id.
 */
export async function seedFleet(core, { hosts, envs, vms }) {
  const { ctx } = core;
  const t = ctx.t;
  const meta = await ctx.db.select().from(t.meta);
  const orgId = meta.find((m) => m.key === 'default_org_id').value;
  const now = Date.now();
  const hostIds = [];
  const hostRows = [];
  for (let i = 0; i < hosts; i++) {
    const id = `host_seed${String(i).padStart(8, '0')}`;
    hostIds.push(id);
    hostRows.push({
      id,
      hostname: `hv${String(i).padStart(5, '0')}`,
      addr: `http://10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:9100`,
      publicAddr: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      orgId,
      source: 'registered',
      liveness: 'ready',
      policy: i % 50 === 0 ? 'maintenance' : 'eligible',
      engines: ['bhyve'],
      storage: 'zvol',
      agentVersion: '0.1.0',
      apiVersion: '1.0',
      totalCpu: 32 + (i % 4) * 16,
      totalMem: 131072 + (i % 8) * 16384,
      totalDisk: 4_000_000,
      usage: {
        sampled_at: new Date(now - (i % 60) * 1000).toISOString(),
        cpu_percent: i % 100,
        mem_used_bytes: 2 ** 33,
        mem_total_bytes: 2 ** 37,
        net_rx_bytes_per_s: 1000,
        net_tx_bytes_per_s: 2000,
      },
      inventoryGeneration: 1,
      lastHeartbeatAt: now,
      registeredAt: now,
      updatedAt: now,
    });
  }
  await ctx.db.transaction(async (tx) => insertChunked(tx, t.hosts, hostRows));

  // VMs per environment: vms / envs on average, as whole numbers (the first ones get one more).
  const base = Math.floor(vms / envs);
  const extra = vms - base * envs;
  let vmIndex = 0;
  for (let start = 0; start < envs; start += 5_000) {
    const envRows = [];
    const vmRows = [];
    for (let e = start; e < Math.min(envs, start + 5_000); e++) {
      const envId = `env_seed${String(e).padStart(8, '0')}`;
      const name = `env-${e}`;
      const state = ENV_STATES[e % ENV_STATES.length];
      envRows.push({
        id: envId,
        name,
        orgId,
        owner: `user${e % 97}`,
        state,
        sshKeys: [],
        lifetime: 86_400,
        onFailure: 'rollback',
        // Distinct creation times: the list's order is the creation time.
        createdAt: now - (envs - e) * 1000,
        expiresAt: now + 86_400_000,
        updatedAt: now,
      });
      const count = base + (e < extra ? 1 : 0);
      for (let i = 0; i < count; i++) {
        const hostId = hostIds[vmIndex % hostIds.length];
        vmIndex++;
        vmRows.push({
          id: `${envId}-${i}`,
          name: `${name}-${i}`,
          envId,
          idx: i,
          orgId,
          hostId,
          image: 'alpine-cloud',
          imageDigest: null,
          engine: 'bhyve',
          cpu: 2,
          mem: 2048,
          disk: 20_000,
          ports: [22],
          denyOutgoing: false,
          state: state === 'stopped' ? 'stopped' : 'running',
          ip: `192.168.${(vmIndex >> 8) & 255}.${vmIndex & 255}`,
          portMap: { 22: 20_000 + (vmIndex % 40_000) },
          reserved: true,
          sent: true,
          createdAt: now,
          updatedAt: now,
        });
      }
    }
    await ctx.db.transaction(async (tx) => {
      await insertChunked(tx, t.envs, envRows);
      await insertChunked(tx, t.vms, vmRows);
    });
  }
  // What placement would have reserved: the hosts' counters agree with their VMs.
  const perHost = Math.ceil(vms / hosts);
  await ctx.db.update(t.hosts).set({
    reservedCpu: 2 * perHost,
    reservedMem: 2048 * perHost,
    reservedDisk: 20_000 * perHost,
    vmCount: perHost,
  });
  if (ctx.engine === 'postgres') await ctx.db.execute('ANALYZE');
  return { orgId };
}
