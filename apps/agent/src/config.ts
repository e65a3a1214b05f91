import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CertFingerprint,
  LinkName,
  ListenAddress,
  StorageBackend,
  summarizeIssues,
  validationIssues,
} from '@apiary/protocol';
import {
  checkPlainUrl,
  LogFormatSetting,
  LogLevelSetting,
  type ServingPlanError,
  TlsSettings,
} from '@apiary/server-kit';
import { z } from 'zod';
import { PoolName } from './host/names.js';

/*
 * Agent configuration: flags override environment variables (`APIARY_*`), parsed once at start
 * with readable errors. Nothing else in the agent reads `process.env`: the environment that host
 * commands run with is computed here too (`commandEnv`).
 */

const Cidr = z
  .string()
  .regex(
    /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/,
    'must be an IPv4 CIDR (a.b.c.d/nn)',
  )
  .refine((s) => {
    const [addr, bits] = s.split('/') as [string, string];
    return (
      addr.split('.').every((o) => Number(o) <= 255) && Number(bits) >= 8 && Number(bits) <= 28
    );
  }, 'octets must be 0-255 and the prefix 8-28');

const PortRange = z
  .string()
  .regex(/^\d{1,5}-\d{1,5}$/, 'must be LOW-HIGH (e.g. 40000-49999)')
  .transform((s) => s.split('-').map(Number) as [number, number])
  .refine(
    ([lo, hi]) => lo >= 1024 && hi <= 65535 && lo <= hi,
    'must lie within 1024-65535, LOW <= HIGH',
  );

const AbsolutePath = z.string().refine(isAbsolute, 'must be an absolute path');

export const AgentConfig = TlsSettings.extend({
  /** Port 0 asks the OS for a free port (tests); the chosen address is logged. */
  listen: ListenAddress.default('127.0.0.1:9100'),
  dataDir: AbsolutePath,
  logLevel: LogLevelSetting,
  logFormat: LogFormatSetting,
  /** Directory the host commands are taken from; null = the system's own paths. */
  illumosBin: AbsolutePath.nullable(),
  /** Where the host's `/` is (files the agent writes for the host: cloud-init, ipf.conf). */
  hostRoot: AbsolutePath.default('/'),
  /** Prefix every host command with pfexec (when running as a non-root user with profiles). */
  pfexec: z.boolean().default(false),
  /**
   * The controllers of the installation (`--controller URL[,URL...]`): several controllers on
   * one database, tried in turn when one cannot be reached.
   */
  controllers: z
    .array(z.url({ protocol: /^https?$/ }))
    .min(1)
    .nullable(),
  /** Trust the controller's certificate if this CA (PEM bundle) issued it for its name. */
  controllerCa: AbsolutePath.nullable().default(null),
  /** Trust exactly the controller certificate with this SHA-256 fingerprint (self-signed). */
  controllerFingerprint: CertFingerprint.nullable().default(null),
  licenseKeyFile: AbsolutePath.nullable(),
  /** Address users connect to (forwarded ports); defaults to the listen host. */
  publicAddr: z.string().min(1).max(255).nullable(),
  storage: StorageBackend.default('zvol'),
  pool: PoolName.default('rpool'),
  /** Parent directory of zonepaths; its dataset is `<pool>/zones` on a default OmniOS. */
  zonesDir: AbsolutePath.default('/zones'),
  portRange: PortRange.default([40000, 49999]),
  natSubnet: Cidr.default('10.213.0.0/16'),
  externalLink: LinkName.default('e1000g0'),
  /** Environment for host commands (e.g. ILLUMOS_SIM_ROOT under --sim). */
  commandEnv: z.record(z.string(), z.string()),
  /** Simulator directory given with --sim (only used to initialize it when empty). */
  simDir: AbsolutePath.nullable(),
  /** After `zoneadm boot` exits 0, wait this long before the zone must be seen running. */
  bootSettleMs: z.coerce.number().int().min(0).max(60_000).default(1_000),
  maxImageBytes: z.coerce
    .number()
    .int()
    .min(1)
    .default(64 * 1024 ** 3),
  /** Seconds between usage samples (one `kstat` call each); 0 turns sampling off. */
  statsInterval: z.coerce.number().int().min(0).max(60).default(10),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

export class ConfigError extends Error {}

const FLAGS = {
  listen: { type: 'string' },
  'data-dir': { type: 'string' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  sim: { type: 'string' },
  'illumos-bin': { type: 'string' },
  'host-root': { type: 'string' },
  controller: { type: 'string' },
  'license-key-file': { type: 'string' },
  'public-addr': { type: 'string' },
  storage: { type: 'string' },
  pool: { type: 'string' },
  'zones-dir': { type: 'string' },
  'port-range': { type: 'string' },
  'nat-subnet': { type: 'string' },
  'external-link': { type: 'string' },
  pfexec: { type: 'boolean' },
  'boot-settle-ms': { type: 'string' },
  'max-image-bytes': { type: 'string' },
  'stats-interval': { type: 'string' },
  tls: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'insecure-http': { type: 'boolean' },
  'controller-ca': { type: 'string' },
  'controller-fingerprint': { type: 'string' },
} as const;

/**
 * Parse flags and environment. `simBinDir` resolves the simulator's executables when `--sim` is
 * given (injected so that config stays free of the simulator package).
 */
export function parseConfig(
  argv: string[],
  env: NodeJS.ProcessEnv,
  simBinDir: () => string = () => {
    throw new ConfigError('--sim is not available in this build');
  },
): AgentConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: FLAGS, strict: true }));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const str = (flag: keyof typeof FLAGS, envName: string) =>
    (values[flag] as string | undefined) ?? env[envName];
  const abs = (p: string | undefined) => (p === undefined ? undefined : resolve(p));
  const simDir = abs(str('sim', 'APIARY_SIM'));
  const commandEnv: Record<string, string> = { PATH: env.PATH ?? '/usr/bin:/usr/sbin:/bin' };
  if (env.LANG) commandEnv.LANG = env.LANG;
  if (simDir) commandEnv.ILLUMOS_SIM_ROOT = simDir;
  const dataDir = abs(str('data-dir', 'APIARY_DATA_DIR'));
  if (!dataDir) throw new ConfigError('--data-dir DIR (or APIARY_DATA_DIR) is required');
  const parsed = AgentConfig.safeParse({
    listen: str('listen', 'APIARY_LISTEN'),
    dataDir,
    logLevel: str('log-level', 'APIARY_LOG_LEVEL'),
    logFormat: str('log-format', 'APIARY_LOG_FORMAT'),
    illumosBin: abs(str('illumos-bin', 'APIARY_ILLUMOS_BIN')) ?? (simDir ? simBinDir() : null),
    hostRoot: abs(str('host-root', 'APIARY_HOST_ROOT')) ?? (simDir ? resolve(simDir, 'root') : '/'),
    pfexec: (values.pfexec as boolean | undefined) ?? env.APIARY_PFEXEC === '1',
    controllers: listOf(str('controller', 'APIARY_CONTROLLER')),
    licenseKeyFile: abs(str('license-key-file', 'APIARY_LICENSE_KEY_FILE')) ?? null,
    publicAddr: str('public-addr', 'APIARY_PUBLIC_ADDR') ?? null,
    storage: str('storage', 'APIARY_STORAGE'),
    pool: str('pool', 'APIARY_POOL'),
    zonesDir: str('zones-dir', 'APIARY_ZONES_DIR'),
    portRange: str('port-range', 'APIARY_PORT_RANGE'),
    natSubnet: str('nat-subnet', 'APIARY_NAT_SUBNET'),
    externalLink: str('external-link', 'APIARY_EXTERNAL_LINK'),
    bootSettleMs: str('boot-settle-ms', 'APIARY_BOOT_SETTLE_MS'),
    maxImageBytes: str('max-image-bytes', 'APIARY_MAX_IMAGE_BYTES'),
    statsInterval: str('stats-interval', 'APIARY_STATS_INTERVAL'),
    tls: str('tls', 'APIARY_TLS'),
    tlsCert: abs(str('tls-cert', 'APIARY_TLS_CERT')) ?? null,
    tlsKey: abs(str('tls-key', 'APIARY_TLS_KEY')) ?? null,
    insecureHttp:
      (values['insecure-http'] as boolean | undefined) ?? env.APIARY_INSECURE_HTTP === '1',
    controllerCa: abs(str('controller-ca', 'APIARY_CONTROLLER_CA')) ?? null,
    controllerFingerprint: str('controller-fingerprint', 'APIARY_CONTROLLER_FINGERPRINT') ?? null,
    commandEnv,
    simDir: simDir ?? null,
  });
  if (!parsed.success) {
    const { issues, omitted } = validationIssues(parsed.error);
    const flags = issues.map((i) => ({ ...i, path: flagName(i.path) }));
    throw new ConfigError(summarizeIssues(flags, { omitted, prefix: 'invalid config' }));
  }
  const config = parsed.data;
  if (config.controllers && !config.licenseKeyFile) {
    throw new ConfigError('--controller needs --license-key-file FILE');
  }
  if (config.controllerCa && config.controllerFingerprint) {
    throw new ConfigError('give --controller-ca or --controller-fingerprint, not both');
  }
  for (const controller of config.controllers ?? []) {
    try {
      checkPlainUrl(controller, '--controller', config.insecureHttp);
    } catch (error) {
      throw new ConfigError((error as ServingPlanError).message);
    }
  }
  return config;
}

/** `dataDir` -> `--data-dir`, so errors name what the operator typed. */
function flagName(path: string): string {
  const top = path.split('.')[0] ?? path;
  return `--${top.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** `a,b, c` -> [a, b, c]; nothing -> null. */
function listOf(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}
