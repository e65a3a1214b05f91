import { readFileSync } from 'node:fs';
import {
  type AgentInfo,
  API_VERSION,
  ApiError,
  type ControllerClient,
  createControllerClient,
  HOST_CREDENTIAL_HEADER,
  type Inventory,
  type StorageBackend,
} from '@apiary/protocol';
import { certificateMismatchIn, type Logger, newRequestId } from '@apiary/server-kit';
import { refusesUsage, type UsageReporter } from '../stats/usage-reporter.js';
import { AGENT_VERSION } from '../version.js';
import { loadCredential, saveCredential } from './credential-store.js';

export interface ControllerLinkDeps {
  /** The installation's controllers (one database): the link uses one, the next when it fails. */
  urls: string[];
  licenseKeyFile: string;
  dataDir: string;
  hostId: string;
  hostname: string;
  /** Base URL where the controller reaches this agent (known once the server listens). */
  addr: () => string;
  publicAddr: string | null;
  storage: StorageBackend;
  log: Logger;
  inventory: () => Inventory;
  /** Mint (and store hashed) a fresh operator key for the controller; returns the clear key. */
  mintControllerKey: () => string;
  /** The usage summary heartbeats carry when it moved (see stats/usage-reporter.ts). */
  usage?: UsageReporter;
  /** The fingerprint of the certificate this agent serves (null over plain HTTP). */
  tlsFingerprint?: () => string | null;
  /** Trusts the controller as configured (--controller-ca / --controller-fingerprint). */
  fetch?: typeof fetch;
  /** Upper bound of the retry backoff while the controller is unreachable. */
  maxBackoffMs?: number;
}

/** Node's (OpenSSL's) codes for a certificate it cannot trust. */
const UNTRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/;

/**
 * The agent's side of the controller link: register at start with the license key and, once it
 * has one, the host credential that proves this is the host it says (a license key alone only
 * creates a host id the controller does not know); heartbeat at the interval the controller
 * asks for (the inventory only when its generation is not the one the controller acknowledged);
 * take a rotated credential from a heartbeat answer; register again when the controller forgot
 * us (404) or refuses our credential (401: accepted again only after an operator's reset); back
 * off while it is unreachable; deregister on clean shutdown. The credential outlives restarts in
 * the data dir. Nothing else in the agent waits on the link.
 */
export class ControllerLink {
  private readonly clients: ControllerClient[];
  /** Which of `deps.urls` the link talks to now. */
  private current = 0;
  private credential: string | null;
  private ackGeneration = -1;
  private intervalMs = 5_000;
  private failures = 0;
  private lastHeartbeatAt: string | null = null;
  private lastError: string | null = null;
  private registered = false;
  /** Registration is due: at start (new address, new agent key) and when the controller asks. */
  private mustRegister = true;
  /** The controller key minted for a registration not yet accepted. */
  private unsentKey: string | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private deadline = 0;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  /** The address and certificate the controller was told of at registration. */
  private registeredAs = '';

  constructor(private readonly deps: ControllerLinkDeps) {
    if (deps.urls.length === 0) throw new TypeError('no controller URL');
    // The credential is the installation's: any of its controllers takes it.
    const stored = deps.urls.map((url) => loadCredential(deps.dataDir, url)).find(Boolean);
    this.credential = stored?.credential ?? null;
    this.registeredAs = stored?.registeredAs ?? '';
    this.clients = deps.urls.map((baseUrl) =>
      createControllerClient({
        baseUrl,
        token: () => this.credential ?? undefined,
        retries: 0,
        timeoutMs: 15_000,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      }),
    );
  }

  /** The controller the link talks to now. */
  get url(): string {
    return this.deps.urls[this.current] as string;
  }

  private get client(): ControllerClient {
    return this.clients[this.current] as ControllerClient;
  }

  /**
   * After a failure that says nothing about this host (unreachable, timed out, a 5xx), the next
   * controller of the installation is tried: they share one database, so any of them will do.
   */
  private failOver(error: unknown): void {
    if (this.clients.length < 2) return;
    const status = error instanceof ApiError ? error.status : undefined;
    if (status !== undefined && status < 500) return;
    const from = this.url;
    this.current = (this.current + 1) % this.clients.length;
    this.deps.log.warn({ from, to: this.url }, 'controller failed; trying the next one');
  }

  status(): NonNullable<AgentInfo['controller']> {
    return {
      url: this.url,
      registered: this.registered,
      last_heartbeat_at: this.lastHeartbeatAt,
      last_error: this.lastError,
    };
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** The inventory changed: heartbeat within a second rather than at the next interval. */
  notify(): void {
    if (!this.timer || !this.wake || this.deadline - Date.now() <= 1_000) return;
    const wake = this.wake;
    clearTimeout(this.timer);
    this.deadline = Date.now() + 1_000;
    this.timer = setTimeout(wake, 1_000);
  }

  async stop(reason = 'shutdown'): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    if (!this.credential) return;
    try {
      await this.client.deregisterHost(
        { params: { id: this.deps.hostId }, body: { reason } },
        { timeoutMs: 5_000, requestId: newRequestId() },
      );
      this.deps.log.info({ controller: this.url }, 'deregistered from controller');
    } catch (error) {
      this.deps.log.warn({ error: (error as Error).message }, 'deregister failed');
    }
    // The credential is kept: it is what lets this host register again after the restart.
    this.registered = false;
  }

  /** Image downloads from the controller with the host credential (Range to resume). */
  async download(digest: string, offset: number): Promise<Response> {
    if (!this.credential) throw new ApiError('unavailable', 'not registered with the controller');
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    return this.client.internalDownloadImage(
      { params: { digest } },
      { headers, timeoutMs: 3_600_000, requestId: newRequestId() },
    );
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let delay = this.intervalMs;
      try {
        // Serving from another address or with another certificate (HTTPS switched on, a
        // renewed certificate reloaded on SIGHUP): the controller hears of it by a registration.
        const moved = this.registeredAs !== this.identity();
        if (this.mustRegister || !this.credential || moved) await this.register();
        else await this.heartbeat();
        this.failures = 0;
        this.lastError = null;
        delay = this.intervalMs;
      } catch (error) {
        const status = error instanceof ApiError ? error.status : undefined;
        const mismatch = certificateMismatchIn(error);
        this.lastError = mismatch
          ? `the controller's certificate changed: ${mismatch.message}`
          : (error as Error).message;
        if (!this.mustRegister && (status === 401 || status === 404)) {
          // 404: the controller forgot this host (a restored database); 401: it no longer
          // takes our credential. Either way, register again, still presenting it.
          this.deps.log.warn(
            { status, error: (error as Error).message },
            'controller does not take this host as it is; registering again',
          );
          this.mustRegister = true;
          this.registered = false;
          delay = 0;
        } else {
          this.failOver(error);
          this.failures++;
          const cap = this.deps.maxBackoffMs ?? 30_000;
          delay = Math.min(cap, 500 * 2 ** Math.min(this.failures, 10)) * (0.5 + Math.random() / 2);
          this.registered = this.registered && this.failures < 3;
          const refused = status === 401 || status === 403;
          if (mismatch) {
            // Nothing was sent: the license key and host credential stay here.
            this.deps.log.error(
              {
                controller: this.url,
                expected: mismatch.expected,
                presented: mismatch.presented,
                retry_in_ms: Math.round(delay),
              },
              'refusing the controller: its certificate is not the one pinned with --controller-fingerprint (certificate changed)',
            );
          } else
            this.deps.log.warn(
              {
                controller: this.url,
                host_id: this.deps.hostId,
                error: (error as Error).message,
                retry_in_ms: Math.round(delay),
                ...(UNTRUSTED.test((error as Error).message)
                  ? {
                      hint: "the controller's certificate is not trusted: pass --controller-fingerprint (apiary-controller info shows it) or --controller-ca",
                    }
                  : {}),
              },
              refused
                ? 'controller refused this host: an operator must reset its credential (apiary hosts reset-credential); will retry'
                : 'controller unreachable; will retry',
            );
        }
      }
      if (this.stopped) break;
      await this.sleep(delay);
    }
  }

  private async register(): Promise<void> {
    const license = readFileSync(this.deps.licenseKeyFile, 'utf8').trim();
    const inventory = this.deps.inventory();
    // One new key per registration that succeeds: retries of a refused or unanswered attempt
    // reuse it instead of minting (and revoking the previous one) at every attempt.
    this.unsentKey ??= this.deps.mintControllerKey();
    const agentKey = this.unsentKey;
    const tlsFingerprint = this.deps.tlsFingerprint?.() ?? null;
    const registeredAs = this.identity();
    const resp = await this.client.registerHost(
      {
        body: {
          host_id: this.deps.hostId,
          hostname: this.deps.hostname,
          addr: this.deps.addr(),
          ...(this.deps.publicAddr ? { public_addr: this.deps.publicAddr } : {}),
          agent_version: AGENT_VERSION,
          api_version: API_VERSION,
          engines: ['bhyve'],
          storage: this.deps.storage,
          agent_api_key: agentKey,
          ...(tlsFingerprint ? { tls_fingerprint: tlsFingerprint } : {}),
          inventory,
        },
      },
      {
        token: license,
        requestId: newRequestId(),
        headers: this.credential ? { [HOST_CREDENTIAL_HEADER]: this.credential } : {},
      },
    );
    this.registeredAs = registeredAs;
    this.adoptCredential(resp.host_credential, true);
    this.unsentKey = null;
    this.mustRegister = false;
    this.ackGeneration = inventory.generation;
    this.deps.usage?.reset();
    this.intervalMs = resp.heartbeat_interval_ms;
    this.registered = true;
    this.lastHeartbeatAt = new Date().toISOString();
    this.deps.log.info(
      {
        controller: this.url,
        interval_ms: this.intervalMs,
      },
      'registered with controller',
    );
  }

  private async heartbeat(): Promise<void> {
    const inventory = this.deps.inventory();
    const changed = inventory.generation !== this.ackGeneration;
    const usage = this.deps.usage?.pending();
    const resp = await this.client
      .heartbeat(
        {
          params: { id: this.deps.hostId },
          body: {
            generation: inventory.generation,
            ...(changed ? { inventory } : {}),
            ...(usage ? { usage } : {}),
          },
        },
        { requestId: newRequestId() },
      )
      .catch((error: unknown) => {
        // A controller older than the usage field refuses it (its heartbeat schema is strict).
        if (usage && refusesUsage(error)) {
          this.deps.log.warn('controller refused the usage summary; heartbeats go without it');
          this.deps.usage?.refused();
        }
        throw error;
      });
    if (usage) this.deps.usage?.delivered(usage);
    if (resp.host_credential) {
      this.adoptCredential(resp.host_credential);
      this.deps.log.info({ controller: this.url }, 'host credential rotated');
    }
    this.ackGeneration = resp.ack_generation;
    this.intervalMs = resp.next_heartbeat_ms;
    this.registered = true;
    this.lastHeartbeatAt = new Date().toISOString();
  }

  /** On disk first: an agent that dies right after still holds the credential in use. */
  private adoptCredential(credential: string, registered = false): void {
    if (credential === this.credential && !registered) return;
    saveCredential(this.deps.dataDir, this.url, credential, this.registeredAs);
    this.credential = credential;
  }

  private identity(): string {
    return `${this.deps.addr()} ${this.deps.tlsFingerprint?.() ?? ''}`;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.wake = null;
        resolve();
      };
      this.wake = done;
      this.deadline = Date.now() + ms;
      this.timer = setTimeout(done, ms);
    });
  }
}
