import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { extname, join } from 'node:path';
import type { CreateEnvReqInput, VmSpecInput } from '@apiary/protocol';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from './duration.js';
import { UsageError } from './errors.js';

export interface EnvFlags {
  file?: string;
  id?: string;
  owner?: string;
  image?: string;
  count?: string;
  cpu?: string;
  mem?: string;
  disk?: string;
  port?: string[];
  denyOutgoing?: boolean;
  sshKey?: string[];
  lifetime?: string;
  keepOnFailure?: boolean;
}

/** A JSON or YAML file holding a CreateEnvReq (seed 003 shape). */
export function readEnvFile(path: string): Partial<CreateEnvReqInput> {
  const text = readFileSync(path, 'utf8');
  const yaml = ['.yaml', '.yml'].includes(extname(path).toLowerCase());
  try {
    const value: unknown = yaml ? parseYaml(text) : JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error('the top level must be an object');
    }
    return value as Partial<CreateEnvReqInput>;
  } catch (error) {
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
}

/** `--ssh-key` takes a key or `@path/to/key.pub`. */
function readKey(arg: string): string {
  if (!arg.startsWith('@')) return arg;
  const path = arg.slice(1).replace(/^~(?=\/)/, homedir());
  if (!existsSync(path)) throw new UsageError(`no such key file ${path}`);
  return readFileSync(path, 'utf8').trim();
}

/** The user's own public key, the obvious default when none is given. */
export function defaultSshKey(home = homedir()): string | undefined {
  for (const name of ['id_ed25519.pub', 'id_ecdsa.pub', 'id_rsa.pub']) {
    const path = join(home, '.ssh', name);
    if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  }
  return undefined;
}

function int(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} must be a whole number`);
  return Number(value);
}

/**
 * Builds the create request from a file and/or flags; flags win. The server validates again;
 * this only shapes the request (validation happens in the typed client before sending).
 */
export function buildCreateEnvRequest(flags: EnvFlags, home = homedir()): CreateEnvReqInput {
  const base = flags.file ? readEnvFile(flags.file) : {};
  const id = flags.id ?? base.id;
  if (!id) throw new UsageError('an environment id is required (--id NAME or "id" in the file)');
  let vms = base.vms as VmSpecInput[] | undefined;
  if (flags.image) {
    const count = int('count', flags.count) ?? 1;
    const spec: VmSpecInput = {
      image: flags.image,
      cpu: int('cpu', flags.cpu),
      mem: int('mem', flags.mem),
      disk: int('disk', flags.disk),
      ports: flags.port?.map((p) => {
        const n = int('port', p);
        return n as number;
      }),
      deny_outgoing: flags.denyOutgoing,
    };
    vms = Array.from({ length: count }, () => ({ ...spec }));
  }
  if (!vms || vms.length === 0) {
    throw new UsageError('no VMs: give --image IMAGE [--count N], or "vms" in the file');
  }
  let keys = flags.sshKey?.map(readKey) ?? base.ssh_keys;
  if (!keys || keys.length === 0) {
    const fallback = defaultSshKey(home);
    if (!fallback) throw new UsageError('no SSH key: give --ssh-key KEY or --ssh-key @FILE.pub');
    keys = [fallback];
  }
  return {
    ...base,
    id,
    owner: flags.owner ?? base.owner,
    ssh_keys: keys,
    vms,
    lifetime: flags.lifetime ? parseDuration(flags.lifetime) : base.lifetime,
    on_failure: flags.keepOnFailure ? 'keep' : base.on_failure,
  };
}
