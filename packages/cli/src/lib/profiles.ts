import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/** One saved controller login. A token is a session token or an API key; both are secrets. */
export const Profile = z.object({
  url: z.string().url(),
  token: z.string().min(1),
  kind: z.enum(['api_key', 'session']),
  username: z.string().optional(),
  /** A PEM file to trust as the controller's CA (its self-signed certificate, for one). */
  ca: z.string().optional(),
});
export type Profile = z.infer<typeof Profile>;

const ProfilesFile = z.object({
  current: z.string().nullable().default(null),
  profiles: z.record(z.string(), Profile).default({}),
});
export type ProfilesFile = z.infer<typeof ProfilesFile>;

/** `$APIARY_CONFIG`, else `$XDG_CONFIG_HOME/apiary/config.json`, else `~/.config/apiary/...`. */
export function profilesPath(env: NodeJS.ProcessEnv): string {
  if (env.APIARY_CONFIG) return env.APIARY_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'apiary', 'config.json');
}

export function readProfiles(path: string): ProfilesFile {
  if (!existsSync(path)) return { current: null, profiles: {} };
  const parsed = ProfilesFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${path} is not a valid apiary config; fix or delete it`);
  }
  return parsed.data;
}

/**
 * Writes atomically with mode 0600 (and the directory 0700): the file holds credentials.
 * The mode is set on the temp file before it takes the real name, so it is never readable.
 */
export function writeProfiles(path: string, data: ProfilesFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Where the CLI connects, and with what: environment first (for scripts), then the profile. */
export interface Target {
  url: string;
  token: string | undefined;
  source: 'environment' | 'profile' | 'default';
  profileName: string | null;
  /** `APIARY_CA`, else the profile's CA file. */
  caFile: string | undefined;
}

export function resolveTarget(
  env: NodeJS.ProcessEnv,
  file: ProfilesFile,
  overrides: { url?: string; profile?: string },
): Target {
  const name = overrides.profile ?? file.current;
  if (overrides.profile && !file.profiles[overrides.profile]) {
    throw new Error(`no profile named ${overrides.profile}; see 'apiary profiles list'`);
  }
  const profile = name ? file.profiles[name] : undefined;
  const url = overrides.url ?? env.APIARY_URL ?? profile?.url;
  const token = env.APIARY_API_KEY ?? profile?.token;
  const caFile = env.APIARY_CA || profile?.ca;
  if (!url)
    return { url: 'http://127.0.0.1:9200', token, source: 'default', profileName: null, caFile };
  const source = env.APIARY_URL || env.APIARY_API_KEY ? 'environment' : 'profile';
  return { url, token, source, profileName: profile ? (name ?? null) : null, caFile };
}
