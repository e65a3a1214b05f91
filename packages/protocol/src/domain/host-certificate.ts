import type { HostTls } from '../schemas/tls.js';

/**
 * How the controller holds a host's agent to its certificate, in one line for people (the CLI's
 * `hosts show`, the dashboard's host page).
 */
export function describeHostCertificate(tls: HostTls): string {
  switch (tls.state) {
    case 'plain_http':
      return 'none (plain HTTP)';
    case 'pinned':
      return `pinned ${tls.fingerprint}`;
    case 'unpinned':
      return "checked against the system's CAs";
    case 'certificate_changed':
      return `CHANGED: refused until accepted (pinned ${tls.fingerprint})`;
  }
}
