import { parseArgs } from 'node:util';
import { Engine, ListenAddress, summarizeIssues, validationIssues } from '@apiary/protocol';
import { LogFormatSetting, LogLevelSetting, TlsSettings } from '@apiary/server-kit';
import { z } from 'zod';
import { ALLOWABLE_TARGETS } from './agents/agent-target.js';
import { BlobStoreSetting } from './services/images/blob-store-target.js';
import { S3Credentials } from './services/images/s3-credentials.js';

const Millis = (min: number, def: number) => z.coerce.number().int().min(min).default(def);

const Bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes' || v === 'on');

/** `qemu=bhyve,docker=` -> { qemu: 'bhyve' }. Empty right-hand sides are dropped. */
const EngineMap = z.string().transform((s, ctx) => {
  const map: Partial<Record<Engine, Engine>> = {};
  for (const pair of s.split(',').filter(Boolean)) {
    const [from, to] = pair.split('=');
    const f = Engine.safeParse(from);
    const t = Engine.safeParse(to);
    if (!f.success || !t.success) {
      ctx.addIssue({ code: 'custom', message: `bad engine mapping ${JSON.stringify(pair)}` });
      return z.NEVER;
    }
    map[f.data] = t.data;
  }
  return map;
});

/**
 * Controller configuration: flags override environment variables (`APIARY_*`), parsed once at
 * start with readable errors. Nothing else in the controller reads `process.env`.
 */
export const ControllerConfig = TlsSettings.extend({
  /** Port 0 asks the kernel for a free port (tests, benchmarks); the `listening` line says which. */
  listen: ListenAddress.default('127.0.0.1:9200'),
  dataDir: z.string().min(1, 'is required (--data-dir DIR or APIARY_DATA_DIR)'),
  /**
   * The key sealing the secrets the controller must present again (agent API keys); default
   * `<data-dir>/secret.key`, made on first start. Every controller of one database needs the
   * same key: point them all at a copy of the first one's.
   */
  secretKeyFile: z.string().min(1).optional(),
  logLevel: LogLevelSetting,
  logFormat: LogFormatSetting,
  placement: z.enum(['spread', 'binpack']).default('spread'),
  /** Requests from 127.0.0.1 / ::1 act as super-admin. Off unless asked for. */
  localhostBypass: Bool.default(false),
  corsOrigins: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url()))
    .default([]),
  /** Interval told to agents in a small fleet; grows with fleet size (see heartbeatRate). */
  heartbeatIntervalMs: Millis(100, 5_000),
  /** Silence after which a host is suspect (scaled like the interval). */
  heartbeatTtlMs: Millis(200, 15_000),
  /** Silence after which a host is down (scaled like the interval). */
  downAfterMs: Millis(300, 45_000),
  /** Heartbeats per second the controller aims to receive at most, whatever the fleet size. */
  heartbeatRate: z.coerce.number().min(1).default(50),
  /** After a controller start, nothing is marked suspect or down before this much silence. */
  restartGraceMs: Millis(0, 60_000),
  reaperIntervalMs: Millis(50, 60_000),
  /** Audit entries older than this many days are deleted. */
  auditRetentionDays: z.coerce.number().int().min(1).max(36_500).default(90),
  /**
   * How long an environment's saga stays with the controller running it after that controller
   * stops renewing (it died or stalled): then another controller's reaper adopts it.
   */
  sagaLeaseTtlMs: Millis(300, 30_000),
  drainIntervalMs: Millis(50, 2_000),
  /** How often hosts added by address (no heartbeats of their own) are polled. */
  pollIntervalMs: Millis(100, 10_000),
  agentTimeoutMs: Millis(100, 15_000),
  /** VMs created in parallel per environment. */
  createParallelism: z.coerce.number().int().min(1).max(64).default(4),
  /** Give up on one VM operation on an agent after this long. */
  operationTimeoutMs: Millis(1_000, 15 * 60_000),
  sessionTtlMs: Millis(60_000, 12 * 3600_000),
  /**
   * How long a console ticket may wait before its websocket opens (it works once). Capped at
   * 5 minutes: a ticket is a bearer credential in a URL, and only a short life keeps it cheap.
   */
  consoleTicketTtlMs: z.coerce.number().int().min(1_000).max(300_000).default(60_000),
  maxImageBytes: z.coerce
    .number()
    .int()
    .min(1)
    .default(64 * 1024 ** 3),
  /**
   * The largest disk a qcow2 may describe (its virtual size, which its raw conversion takes on
   * the controller's disk and each host's): a 1 MiB qcow2 can claim exabytes.
   */
  imageMaxVirtualBytes: z.coerce
    .number()
    .int()
    .min(1)
    .default(256 * 1024 ** 3),
  /** How long one image download (URL fetch, box pull) may take, resumes included. */
  imageFetchTimeoutMs: Millis(100, 3600_000),
  /** How long a registry may take to answer a metadata or search request. */
  registryTimeoutMs: Millis(100, 15_000),
  /**
   * Special addresses the controller may be asked to reach an agent at (connection test, add by
   * address) or download an image from (URL fetch, box registry): `loopback`, `link-local`,
   * comma-separated. None by default: an org admin must not
   * make the controller probe its own machine or the link-local network. Dev fleets and test
   * harnesses whose agents listen on 127.0.0.1 pass `loopback`.
   */
  allowAgentTargets: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(ALLOWABLE_TARGETS)))
    .default([]),
  /** Image storage each organization may use (bytes); per organization it can be changed. */
  orgImageQuotaBytes: z.coerce
    .number()
    .int()
    .min(0)
    .default(256 * 1024 ** 3),
  /**
   * Uploads are refused (507) before the free space of the disk under the database (and the
   * image directory) would fall below this: a full disk would stop the database itself.
   */
  minFreeDiskBytes: z.coerce
    .number()
    .int()
    .min(0)
    .default(2 * 1024 ** 3),
  /** How often each ready host's VMs are listed and compared with what the controller knows. */
  reconcileIntervalMs: Millis(1_000, 120_000),
  /**
   * What to do with Apiary-made zones the controller has no record of: `report` (event, host
   * view, metric) or `remove` them after `orphanGraceMs`.
   */
  orphanPolicy: z.enum(['report', 'remove']).default('report'),
  /** How long a zone must have been seen unknown (and have existed) before it is removed. */
  orphanGraceMs: Millis(0, 15 * 60_000),
  /** Engines served by another engine: the seed's default `qemu` runs as bhyve here. */
  engineMap: EngineMap.default({ qemu: 'bhyve' }),
  /** How long shutdown waits for in-flight work before closing the database. */
  shutdownTimeoutMs: Millis(0, 10_000),
  /** Consent to plain HTTP on a non-loopback address (see TlsSettings). */
  insecureHttp: Bool.default(false),
  /**
   * The database: `sqlite:PATH` (default `sqlite:DATA_DIR/controller.db`) or
   * `postgres://user@host:port/db` for several controllers sharing one fleet.
   */
  db: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'sqlite:PATH or postgres://user@host/db')
    .optional(),
  /** A file holding the PostgreSQL password (never on the command line; PGPASSWORD works too). */
  dbPasswordFile: z.string().min(1).optional(),
  /** PostgreSQL connections this controller keeps at most. */
  dbPoolSize: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * Where image blobs are kept: a directory (default `DATA_DIR/images`), which may be storage
   * every controller mounts, or `s3://bucket/prefix` for an S3-compatible object store. Several
   * controllers behind one load balancer must all use the same one.
   */
  blobStore: BlobStoreSetting.optional(),
  /** The S3 endpoint URL (default: AWS's for the region). */
  s3Endpoint: z.url().optional(),
  s3Region: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'a region name such as us-east-1')
    .default('us-east-1'),
  /** `endpoint/bucket/key` URLs instead of `bucket.endpoint/key` (most self-hosted stores). */
  s3PathStyle: Bool.default(false),
  /** A file with the S3 credentials (AWS shared credentials format, `[default]`). */
  s3CredentialsFile: z.string().min(1).optional(),
  /** From AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN only: never a flag. */
  s3Credentials: S3Credentials.optional(),
});
export type ControllerConfig = z.infer<typeof ControllerConfig>;

export class ConfigError extends Error {}

/** Flag name, env name, config key. */
const OPTIONS = [
  ['listen', 'APIARY_LISTEN', 'listen'],
  ['data-dir', 'APIARY_DATA_DIR', 'dataDir'],
  ['secret-key-file', 'APIARY_SECRET_KEY_FILE', 'secretKeyFile'],
  ['log-level', 'APIARY_LOG_LEVEL', 'logLevel'],
  ['log-format', 'APIARY_LOG_FORMAT', 'logFormat'],
  ['placement', 'APIARY_PLACEMENT', 'placement'],
  ['localhost-bypass', 'APIARY_LOCALHOST_BYPASS', 'localhostBypass'],
  ['cors-origin', 'APIARY_CORS_ORIGIN', 'corsOrigins'],
  ['heartbeat-interval-ms', 'APIARY_HEARTBEAT_INTERVAL_MS', 'heartbeatIntervalMs'],
  ['heartbeat-ttl-ms', 'APIARY_HEARTBEAT_TTL_MS', 'heartbeatTtlMs'],
  ['down-after-ms', 'APIARY_DOWN_AFTER_MS', 'downAfterMs'],
  ['heartbeat-rate', 'APIARY_HEARTBEAT_RATE', 'heartbeatRate'],
  ['restart-grace-ms', 'APIARY_RESTART_GRACE_MS', 'restartGraceMs'],
  ['reaper-interval-ms', 'APIARY_REAPER_INTERVAL_MS', 'reaperIntervalMs'],
  ['audit-retention-days', 'APIARY_AUDIT_RETENTION_DAYS', 'auditRetentionDays'],
  ['saga-lease-ttl-ms', 'APIARY_SAGA_LEASE_TTL_MS', 'sagaLeaseTtlMs'],
  ['drain-interval-ms', 'APIARY_DRAIN_INTERVAL_MS', 'drainIntervalMs'],
  ['poll-interval-ms', 'APIARY_POLL_INTERVAL_MS', 'pollIntervalMs'],
  ['agent-timeout-ms', 'APIARY_AGENT_TIMEOUT_MS', 'agentTimeoutMs'],
  ['create-parallelism', 'APIARY_CREATE_PARALLELISM', 'createParallelism'],
  ['operation-timeout-ms', 'APIARY_OPERATION_TIMEOUT_MS', 'operationTimeoutMs'],
  ['session-ttl-ms', 'APIARY_SESSION_TTL_MS', 'sessionTtlMs'],
  ['console-ticket-ttl-ms', 'APIARY_CONSOLE_TICKET_TTL_MS', 'consoleTicketTtlMs'],
  ['max-image-bytes', 'APIARY_MAX_IMAGE_BYTES', 'maxImageBytes'],
  ['image-max-virtual-bytes', 'APIARY_IMAGE_MAX_VIRTUAL_BYTES', 'imageMaxVirtualBytes'],
  ['image-fetch-timeout-ms', 'APIARY_IMAGE_FETCH_TIMEOUT_MS', 'imageFetchTimeoutMs'],
  ['registry-timeout-ms', 'APIARY_REGISTRY_TIMEOUT_MS', 'registryTimeoutMs'],
  ['org-image-quota-bytes', 'APIARY_ORG_IMAGE_QUOTA_BYTES', 'orgImageQuotaBytes'],
  ['min-free-disk-bytes', 'APIARY_MIN_FREE_DISK_BYTES', 'minFreeDiskBytes'],
  ['reconcile-interval-ms', 'APIARY_RECONCILE_INTERVAL_MS', 'reconcileIntervalMs'],
  ['orphan-policy', 'APIARY_ORPHAN_POLICY', 'orphanPolicy'],
  ['orphan-grace-ms', 'APIARY_ORPHAN_GRACE_MS', 'orphanGraceMs'],
  ['engine-map', 'APIARY_ENGINE_MAP', 'engineMap'],
  ['allow-agent-targets', 'APIARY_ALLOW_AGENT_TARGETS', 'allowAgentTargets'],
  ['shutdown-timeout-ms', 'APIARY_SHUTDOWN_TIMEOUT_MS', 'shutdownTimeoutMs'],
  ['tls', 'APIARY_TLS', 'tls'],
  ['tls-cert', 'APIARY_TLS_CERT', 'tlsCert'],
  ['tls-key', 'APIARY_TLS_KEY', 'tlsKey'],
  ['insecure-http', 'APIARY_INSECURE_HTTP', 'insecureHttp'],
  ['db', 'APIARY_DB', 'db'],
  ['db-password-file', 'APIARY_DB_PASSWORD_FILE', 'dbPasswordFile'],
  ['db-pool-size', 'APIARY_DB_POOL_SIZE', 'dbPoolSize'],
  ['blob-store', 'APIARY_BLOB_STORE', 'blobStore'],
  ['s3-endpoint', 'APIARY_S3_ENDPOINT', 's3Endpoint'],
  ['s3-region', 'APIARY_S3_REGION', 's3Region'],
  ['s3-path-style', 'APIARY_S3_PATH_STYLE', 's3PathStyle'],
  ['s3-credentials-file', 'APIARY_S3_CREDENTIALS_FILE', 's3CredentialsFile'],
] as const;

const BOOLEAN_FLAGS = new Set(['localhost-bypass', 'insecure-http', 's3-path-style']);

/** S3 credentials from the environment AWS tools use (a pair, or nothing). */
function envCredentials(env: NodeJS.ProcessEnv) {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = env;
  if (!AWS_ACCESS_KEY_ID && !AWS_SECRET_ACCESS_KEY) return undefined;
  return {
    accessKeyId: AWS_ACCESS_KEY_ID,
    secretAccessKey: AWS_SECRET_ACCESS_KEY,
    ...(AWS_SESSION_TOKEN ? { sessionToken: AWS_SESSION_TOKEN } : {}),
  };
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): ControllerConfig {
  const input = readFlags(argv, env, OPTIONS);
  input.dataDir ??= '';
  input.s3Credentials = envCredentials(env);
  return validate(ControllerConfig, input);
}

/**
 * `apiary-controller migrate`: only the database settings, from the same flags and variables
 * as the daemon. A data dir alone names the default SQLite file; PostgreSQL needs none.
 */
export const MigrateConfig = ControllerConfig.pick({ db: true, dbPasswordFile: true })
  .extend({ dataDir: z.string().min(1).optional() })
  .refine((c) => c.db !== undefined || c.dataDir !== undefined, {
    message:
      'give --db sqlite:PATH|postgres://... or --data-dir DIR (or APIARY_DB / APIARY_DATA_DIR)',
  });
export type MigrateConfig = z.infer<typeof MigrateConfig>;

const MIGRATE_FLAGS = new Set(['data-dir', 'db', 'db-password-file']);

export function parseMigrateConfig(argv: string[], env: NodeJS.ProcessEnv): MigrateConfig {
  const options = OPTIONS.filter(([flag]) => MIGRATE_FLAGS.has(flag));
  return validate(MigrateConfig, readFlags(argv, env, options));
}

/** Flags over environment variables, as config keys; refuses a password in a --db URL. */
function readFlags(
  argv: string[],
  env: NodeJS.ProcessEnv,
  options: ReadonlyArray<readonly [string, string, string]>,
): Record<string, unknown> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: Object.fromEntries(
        options.map(([flag]) => [
          flag,
          { type: BOOLEAN_FLAGS.has(flag) ? ('boolean' as const) : ('string' as const) },
        ]),
      ),
      strict: true,
    }));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const flagDb = values.db;
  if (typeof flagDb === 'string' && /^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(flagDb)) {
    // Anyone on the machine can read a command line (ps): the password goes in a file.
    throw new ConfigError(
      '--db: no password on the command line; use --db-password-file FILE (or PGPASSWORD)',
    );
  }
  const input: Record<string, unknown> = {};
  for (const [flag, envName, key] of options) {
    const value = values[flag] ?? env[envName];
    if (value !== undefined) input[key] = value;
  }
  return input;
}

function validate<S extends z.ZodType>(schema: S, input: Record<string, unknown>): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const { issues, omitted } = validationIssues(parsed.error);
    throw new ConfigError(summarizeIssues(issues, { omitted }));
  }
  return parsed.data;
}

/** Defaults for everything but the data dir (tests and benchmarks). */
export function defaultConfig(overrides: Partial<ControllerConfig> & { dataDir: string }) {
  return { ...ControllerConfig.parse({ dataDir: overrides.dataDir }), ...overrides };
}
