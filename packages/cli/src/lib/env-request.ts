import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { extname, join } from 'node:path';
import {
  buildCreateEnvRequest,
  type CreateEnvReqInput,
  type EnvRequestText,
  envRequestBound,
} from '@apiary/protocol';
import { parse as parseYaml } from 'yaml';
import { durationFlag } from './duration-flag.js';
import { UsageError } from './errors.js';
import { flagLabel, refuseIssues, type SourceOf } from './flag-issues.js';

/** `apiary envs create` flags: the typed fields as the shared builder takes them, and more. */
export interface EnvFlags
  extends Pick<EnvRequestText, 'id' | 'owner' | 'image' | 'count' | 'cpu' | 'mem' | 'disk'> {
  /** `--boot-iso`: install every VM from this ISO onto an empty disk of `--disk` MiB. */
  bootIso?: string;
  file?: string;
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
export function readKey(arg: string): string {
  if (!arg.startsWith('@')) return arg;
  const path = arg.slice(1).replace(/^~(?=\/)/, homedir());
  if (!existsSync(path)) throw new UsageError(`no such key file ${path}`);
  return readFileSync(path, 'utf8').trim();
}

/** ssh's own default keys, most preferred first; any other `~/.ssh/*.pub` after them. */
const PREFERRED_KEYS = ['id_ed25519.pub', 'id_ecdsa.pub', 'id_rsa.pub'];

/** The user's own public key (`~/.ssh/*.pub`), the obvious default when none is given. */
export function defaultSshKey(home = homedir()): string | undefined {
  const dir = join(home, '.ssh');
  let found: string[];
  try {
    found = readdirSync(dir).filter((name) => name.endsWith('.pub'));
  } catch {
    return undefined;
  }
  const rank = (name: string) => {
    const at = PREFERRED_KEYS.indexOf(name);
    return at === -1 ? PREFERRED_KEYS.length : at;
  };
  const best = found.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))[0];
  return best === undefined ? undefined : readFileSync(join(dir, best), 'utf8').trim();
}

/** Said when there is no key to inject: how to make one, or how to pass one. */
export const NO_SSH_KEY =
  'no SSH key to give the VMs (none in ~/.ssh/*.pub): make one with `ssh-keygen -t ed25519`, or pass one with --ssh-key @FILE.pub';

/**
 * The create request from a file and/or flags (flags win), checked with the protocol's shared
 * builder; anything it refuses is reported per flag (`--cpu 999: at most 64`).
 */
export function createEnvRequestFromFlags(flags: EnvFlags, home = homedir()): CreateEnvReqInput {
  const base = flags.file ? readEnvFile(flags.file) : {};
  if (!(flags.id ?? base.id)) {
    throw new UsageError('an environment id is required (--id NAME or "id" in the file)');
  }
  if (flags.image === undefined && flags.bootIso === undefined && !base.vms?.length) {
    throw new UsageError(
      'no VMs: give --image IMAGE or --boot-iso ISO [--count N], or "vms" in the file',
    );
  }
  let keys = flags.sshKey?.map(readKey) ?? base.ssh_keys;
  if (!keys || keys.length === 0) {
    const fallback = defaultSshKey(home);
    if (!fallback) throw new UsageError(NO_SSH_KEY);
    keys = [fallback];
  }
  const { request, issues } = buildCreateEnvRequest(
    {
      id: flags.id,
      owner: flags.owner,
      image: flags.image,
      boot_iso: flags.bootIso,
      count: flags.count,
      cpu: flags.cpu,
      mem: flags.mem,
      disk: flags.disk,
      ports: flags.port?.join(' '),
      deny_outgoing: flags.denyOutgoing,
      ssh_keys: keys,
      lifetime: durationFlag('--lifetime', flags.lifetime),
      on_failure: flags.keepOnFailure ? 'keep' : undefined,
    },
    base,
  );
  refuseIssues(issues, envFlagSource(flags, request));
  return request;
}

/**
 * Where each field of the create request came from: a flag (`--cpu 999`) or the file
 * (`env.yaml: vms.1.cpu`).
 */
export function envFlagSource(flags: EnvFlags, request: CreateEnvReqInput): SourceOf {
  const fromFile = (path: string) =>
    flags.file ? (path ? `${flags.file}: ${path}` : flags.file) : path;
  return (path) => {
    const [head, index, field, item] = path.split('.');
    const bound = envRequestBound(path);
    const flag = (name: string, typed: string | undefined) => ({
      label: flagLabel(name, typed),
      bound,
    });
    if (head === 'id' && flags.id !== undefined) return flag('--id', flags.id);
    if (head === 'owner' && flags.owner !== undefined) return flag('--owner', flags.owner);
    if (head === 'lifetime' && flags.lifetime !== undefined)
      return flag('--lifetime', flags.lifetime);
    if (head === 'ssh_keys' && flags.sshKey) {
      const typed = index === undefined ? undefined : flags.sshKey[Number(index)];
      return flag('--ssh-key', typed?.startsWith('@') ? typed : undefined);
    }
    if (head === 'vms' && (flags.image !== undefined || flags.bootIso !== undefined)) {
      if (field === undefined) return flag('--count', flags.count);
      if (field === 'ports') {
        const port = item === undefined ? undefined : request.vms?.[0]?.ports?.[Number(item)];
        return flag('--port', port === undefined ? undefined : String(port));
      }
      const typed = {
        image: flags.image,
        boot_iso: flags.bootIso,
        cpu: flags.cpu,
        mem: flags.mem,
        disk: flags.disk,
      };
      if (field in typed) {
        return flag(`--${field.replace('_', '-')}`, typed[field as keyof typeof typed]);
      }
    }
    return { label: fromFile(path), bound };
  };
}
