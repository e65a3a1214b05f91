import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';

/**
 * The guest's SSH host key: made at its first connection, as a first boot makes
 * /etc/ssh/ssh_host_ed25519_key, and kept with the zone in the simulator's state directory
 * (`<zonepath>/guest/ssh_host_ed25519_key`, mode 0600), so a client sees the same key after a
 * reboot and the key goes when the zone is uninstalled. Undefined when the zonepath is gone.
 */
export function guestHostKey(hostRoot: string, zonepath: string): string | undefined {
  const zoneDir = join(hostRoot, zonepath);
  if (!existsSync(zoneDir)) return undefined;
  const dir = join(zoneDir, 'guest');
  const file = join(dir, 'ssh_host_ed25519_key');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { private: key } = ssh2.utils.generateKeyPairSync('ed25519');
  writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}
