import type { Host } from '@apiary/protocol';

/**
 * Hostnames, made unique: two hosts reporting the same name (cloned machines) get the end of
 * their id added, so an operator can still tell which VM sits where.
 */
export function hostLabels(hosts: Map<string, Host>): Map<string, string> {
  const counts = new Map<string, number>();
  for (const h of hosts.values()) counts.set(h.hostname, (counts.get(h.hostname) ?? 0) + 1);
  const labels = new Map<string, string>();
  for (const h of hosts.values()) {
    const shared = (counts.get(h.hostname) ?? 0) > 1;
    labels.set(h.id, shared ? `${h.hostname} · ${h.id.slice(-6)}` : h.hostname);
  }
  return labels;
}
