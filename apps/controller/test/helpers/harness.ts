import { rmSync } from 'node:fs';
import {
  API_VERSION,
  type HeartbeatResp,
  HOST_CREDENTIAL_HEADER,
  type RegisterHostResp,
  type UsageSummary,
} from '@apiary/protocol';
import { createMemoryLogger } from '@apiary/server-kit';
import { eq } from 'drizzle-orm';
import { type ControllerConfig, defaultConfig } from '../../src/config.js';
import { createControllerCore } from '../../src/core.js';
import type { Database } from '../../src/db/database.js';
import { ManualClock } from '../../src/lib/clock.js';
import { bootstrapIfEmpty } from '../../src/services/auth/bootstrap.js';
import type { FreeSpace } from '../../src/services/images/disk-floor.js';
import { FakeAgent, type FakeAgentOptions } from './fake-agent.js';
import { FakeNetwork } from './fake-network.js';
import { tempDir } from './temp.js';
import { openTestDatabase } from './test-db.js';

export interface Harness {
  core: Awaited<ReturnType<typeof createControllerCore>>;
  database: Database;
  clock: ManualClock | undefined;
  dataDir: string;
  network: FakeNetwork;
  adminKey: string;
  licenseKey: string;
  adminPassword: string;
  logLines: string[];
  /** JSON request against the app, as `admin` unless `token` is given (null: no credential). */
  req(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
    headers?: Record<string, string>,
  ): Promise<Response>;
  /**
   * Adds a fake agent and registers it with the license key, as a real agent does; with
   * `hostCredential`, presenting it as a re-registering agent does.
   */
  addAgent(
    o: FakeAgentOptions & { licenseKey?: string; addr?: string; hostCredential?: string },
  ): Promise<{ agent: FakeAgent; credential: string }>;
  /** The raw registration request for a fake agent (tests of refused registrations). */
  register(
    agent: FakeAgent,
    o?: { licenseKey?: string; addr?: string; hostCredential?: string },
  ): Promise<Response>;
  /** A heartbeat as the agent sends it; `usage` rides along when given. */
  heartbeat(
    agent: FakeAgent,
    credential: string,
    withInventory?: boolean,
    usage?: UsageSummary,
  ): Promise<HeartbeatResp>;
  /**
   * Another controller on the harness's database (its network, clock and data dir: the same
   * secret key), as a second controller of one installation. Stop it before `close()`.
   */
  anotherController(
    o?: Partial<Parameters<typeof createControllerCore>[0]>,
  ): ReturnType<typeof createControllerCore>;
  /** Waits until no saga or drain is running. */
  idle(): Promise<void>;
  /** The internal id (zone name on its agent) of the VM users call `name` (first match). */
  zoneOf(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function createHarness(
  o: { config?: Partial<ControllerConfig>; manualClock?: boolean; freeSpace?: FreeSpace } = {},
): Promise<Harness> {
  // Also removed after the file if a test fails before close().
  const dataDir = tempDir('ctl-test');
  const database = await openTestDatabase();
  const network = new FakeNetwork();
  const clock = o.manualClock ? new ManualClock(Date.now()) : undefined;
  const { log, lines } = createMemoryLogger('debug');
  const config = defaultConfig({
    dataDir,
    restartGraceMs: 0,
    heartbeatIntervalMs: 1000,
    heartbeatTtlMs: 3000,
    downAfterMs: 9000,
    operationTimeoutMs: 10_000,
    ...o.config,
  });
  const core = await createControllerCore({
    config,
    database,
    clock,
    log,
    fetch: network.fetch,
    resolveHost: network.resolve,
    validateResponses: true,
    processMetrics: false,
    freeSpace: o.freeSpace,
  });
  const secrets = await bootstrapIfEmpty(core.ctx, dataDir);
  if (!secrets) throw new Error('bootstrap did not run');
  const h: Harness = {
    core,
    database,
    clock,
    dataDir,
    network,
    adminKey: secrets.adminApiKey,
    licenseKey: secrets.licenseKey,
    adminPassword: secrets.adminPassword,
    logLines: lines,
    async req(method, path, body, token, headers = {}) {
      const auth: Record<string, string> =
        token === null ? {} : { authorization: `Bearer ${token ?? secrets.adminApiKey}` };
      return core.app.request(path, {
        method,
        headers: { 'content-type': 'application/json', ...auth, ...headers },
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    async register(agent, ro = {}) {
      const addr = ro.addr ?? `http://${agent.hostId.replace(/_/g, '-')}.test:9100`;
      return h.req(
        'POST',
        '/v1/internal/hosts/register',
        {
          host_id: agent.hostId,
          hostname: agent.hostname,
          addr,
          agent_version: '0.1.0',
          api_version: API_VERSION,
          engines: ['bhyve'],
          storage: 'zvol',
          agent_api_key: agent.key,
          inventory: agent.inventory(),
        },
        ro.licenseKey ?? secrets.licenseKey,
        ro.hostCredential ? { [HOST_CREDENTIAL_HEADER]: ro.hostCredential } : {},
      );
    },
    async addAgent(ao) {
      const addr = ao.addr ?? `http://${ao.hostId.replace(/_/g, '-')}.test:9100`;
      const agent = new FakeAgent(ao);
      network.add(addr, agent);
      const res = await h.register(agent, { ...ao, addr });
      if (res.status !== 200) throw new Error(`register failed: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as RegisterHostResp;
      return { agent, credential: body.host_credential };
    },
    async heartbeat(agent, credential, withInventory = true, usage = undefined) {
      const res = await core.app.request(`/v1/internal/hosts/${agent.hostId}/heartbeat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
        body: JSON.stringify({
          generation: agent.generation,
          ...(withInventory ? { inventory: agent.inventory() } : {}),
          ...(usage ? { usage } : {}),
        }),
      });
      if (res.status !== 200)
        throw new Error(`heartbeat failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as HeartbeatResp;
    },
    anotherController: (ao = {}) =>
      createControllerCore({
        config: core.ctx.config,
        database,
        clock,
        log,
        fetch: network.fetch,
        resolveHost: network.resolve,
        processMetrics: false,
        ...ao,
      }),
    idle: async () => {
      // Environment sagas and VM changes (the saga engine's) alike.
      while (core.ctx.sagas.held.length > 0 || core.ctx.work.size > 0) {
        await core.ctx.work.idle();
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async zoneOf(name) {
      const { vms } = core.ctx.t;
      const [row] = await core.ctx.db.select({ id: vms.id }).from(vms).where(eq(vms.name, name));
      if (!row) throw new Error(`no VM named ${name}`);
      return row.id;
    },
    async close() {
      await core.stop();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}

/** A syntactically real SSH public key. */
export function sshKey(comment = 'alice@laptop'): string {
  const type = 'ssh-ed25519';
  const bytes = [0, 0, 0, type.length, ...[...type].map((c) => c.charCodeAt(0)), 0, 0, 0, 32];
  for (let i = 0; i < 32; i++) bytes.push((i * 37) % 256);
  return `${type} ${Buffer.from(bytes).toString('base64')} ${comment}`;
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
