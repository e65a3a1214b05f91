import type { HostLiveness } from '@apiary/protocol';
import type { Clock } from '../../lib/clock.js';
import { digestMatches, sha256Bytes } from '../../lib/secrets.js';

export interface LivenessSettings {
  heartbeatIntervalMs: number;
  heartbeatTtlMs: number;
  downAfterMs: number;
  heartbeatRate: number;
  restartGraceMs: number;
}

interface Entry {
  state: HostLiveness;
  /** Silence is measured from here (pushed past the grace period after a restart). */
  lastSeen: number;
  /** When the host was really last heard from (null: not since this controller started). */
  heardAt: number | null;
  /** The latest `heardAt` already shared with other controllers (through the database). */
  shared: number;
  /** The host's credential hashes: a heartbeat is authenticated without a database read. */
  credentials: CredentialHashes;
  /** The same hashes decoded once, not on every heartbeat (replaced with `credentials`). */
  digests: Digests;
  /** Latest inventory generation applied to the database. */
  ackGeneration: number;
}

/**
 * sha256 of the host credential (null for hosts added by address, which are polled, and for
 * revoked ones), of a rotated one handed over but not yet used, and whether a rotation is due.
 */
export interface CredentialHashes {
  current: string | null;
  next: string | null;
  rotate: boolean;
}

interface Digests {
  current: Buffer | null;
  next: Buffer | null;
}

function digestsOf(c: CredentialHashes): Digests {
  return {
    current: c.current === null ? null : Buffer.from(c.current, 'hex'),
    next: c.next === null ? null : Buffer.from(c.next, 'hex'),
  };
}

/** Which of a host's credentials a token is. */
export type CredentialMatch = 'current' | 'next';

export interface Transition {
  hostId: string;
  from: HostLiveness;
  to: HostLiveness;
}

/**
 * Host liveness, kept in memory: a heartbeat touches only this map. The database hears about a
 * host only when its state changes. Thresholds scale with the fleet so the controller receives
 * at most `heartbeatRate` heartbeats per second however many hosts there are.
 */
export class LivenessTracker {
  private entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly settings: LivenessSettings,
  ) {}

  /** Interval for the current fleet size: the base, or longer when the fleet is large. */
  intervalMs(): number {
    const s = this.settings;
    return Math.max(s.heartbeatIntervalMs, Math.ceil((this.entries.size / s.heartbeatRate) * 1000));
  }

  private scale(): number {
    return this.intervalMs() / this.settings.heartbeatIntervalMs;
  }

  /** Next interval for one agent, with jitter so heartbeats do not arrive in lockstep. */
  nextHeartbeatMs(random: () => number = Math.random): number {
    return Math.max(100, Math.round(this.intervalMs() * (0.8 + 0.2 * random())));
  }

  suspectAfterMs(): number {
    return Math.round(this.settings.heartbeatTtlMs * this.scale());
  }

  downAfterMs(): number {
    return Math.round(
      Math.max(this.settings.downAfterMs, this.settings.heartbeatTtlMs) * this.scale(),
    );
  }

  /**
   * Loads hosts at start. Their silence is counted from the end of the grace period, so a
   * controller restart by itself never makes a host suspect or down.
   */
  load(
    hosts: Array<{
      id: string;
      liveness: HostLiveness;
      credentialHash: string | null;
      nextCredentialHash: string | null;
      credentialRotateAt: number | null;
      inventoryGeneration: number;
      lastHeartbeatAt: number | null;
    }>,
  ) {
    const start = this.clock.now() + this.settings.restartGraceMs;
    for (const h of hosts) {
      const credentials = {
        current: h.credentialHash,
        next: h.nextCredentialHash,
        rotate: h.credentialRotateAt !== null,
      };
      this.entries.set(h.id, {
        state: h.liveness,
        lastSeen: start,
        heardAt: h.lastHeartbeatAt,
        shared: h.lastHeartbeatAt ?? 0,
        credentials,
        digests: digestsOf(credentials),
        ackGeneration: h.inventoryGeneration,
      });
    }
  }

  /** A host (re)registered or was added: it is ready now. */
  track(
    hostId: string,
    credentials: CredentialHashes | null,
    ackGeneration: number,
  ): Transition | null {
    const prev = this.entries.get(hostId);
    const held = credentials ?? { current: null, next: null, rotate: false };
    this.entries.set(hostId, {
      state: 'ready',
      lastSeen: this.clock.now(),
      heardAt: this.clock.now(),
      shared: 0,
      credentials: held,
      digests: digestsOf(held),
      ackGeneration,
    });
    return prev && prev.state !== 'ready' ? { hostId, from: prev.state, to: 'ready' } : null;
  }

  has(hostId: string): boolean {
    return this.entries.has(hostId);
  }

  /** Which of the host's credentials `token` is, if any (constant-time comparisons). */
  checkCredential(hostId: string, token: string): CredentialMatch | null {
    const d = this.entries.get(hostId)?.digests;
    if (!d || (d.current === null && d.next === null)) return null;
    const presented = sha256Bytes(token);
    if (d.current && digestMatches(presented, d.current)) return 'current';
    if (d.next && digestMatches(presented, d.next)) return 'next';
    return null;
  }

  /**
   * The host's credential hashes as they are now (after a rotation, revocation or reset): the
   * next check already uses them, decoded copies included.
   */
  setCredentials(hostId: string, credentials: CredentialHashes) {
    const e = this.entries.get(hostId);
    if (!e) return;
    if (e.credentials.current === credentials.current && e.credentials.next === credentials.next) {
      e.credentials = credentials;
      return;
    }
    e.credentials = credentials;
    e.digests = digestsOf(credentials);
  }

  /** Whether the host is due to receive a rotated credential. */
  rotationDue(hostId: string): boolean {
    return this.entries.get(hostId)?.credentials.rotate ?? false;
  }

  ackGeneration(hostId: string): number {
    return this.entries.get(hostId)?.ackGeneration ?? -1;
  }

  setAckGeneration(hostId: string, generation: number) {
    const e = this.entries.get(hostId);
    if (e) e.ackGeneration = generation;
  }

  state(hostId: string): HostLiveness | undefined {
    return this.entries.get(hostId)?.state;
  }

  /** When the host was last heard from, if known. */
  heardAt(hostId: string): number | null {
    return this.entries.get(hostId)?.heardAt ?? null;
  }

  /** A heartbeat (or a successful poll) arrived. Returns the transition to ready, if any. */
  seen(hostId: string): Transition | null {
    const e = this.entries.get(hostId);
    if (!e) return null;
    e.lastSeen = this.clock.now();
    e.heardAt = e.lastSeen;
    if (e.state === 'ready') return null;
    const from = e.state;
    e.state = 'ready';
    return { hostId, from, to: 'ready' };
  }

  /**
   * Hosts heard from since the last call (for sharing with other controllers), with when.
   * Each host is reported once per heartbeat received here.
   */
  takeHeard(): Array<{ hostId: string; heardAt: number }> {
    const out: Array<{ hostId: string; heardAt: number }> = [];
    for (const [hostId, e] of this.entries) {
      if (e.heardAt !== null && e.heardAt > e.shared) {
        out.push({ hostId, heardAt: e.heardAt });
        e.shared = e.heardAt;
      }
    }
    return out;
  }

  /**
   * A host `takeHeard` reported could not be shared this time (its row was busy): report it
   * again at the next call, unless something later was shared meanwhile.
   */
  shareLater(hostId: string, heardAt: number): void {
    const e = this.entries.get(hostId);
    if (e && e.shared === heardAt) e.shared = heardAt - 1;
  }

  /**
   * Another controller heard from the host at `heardAt` (from the database): silence counts
   * from then, and a host this controller thought silent is ready again.
   */
  heardElsewhere(hostId: string, heardAt: number): Transition | null {
    const e = this.entries.get(hostId);
    if (!e || heardAt <= (e.heardAt ?? 0)) return null;
    e.heardAt = heardAt;
    e.shared = Math.max(e.shared, heardAt);
    e.lastSeen = Math.max(e.lastSeen, heardAt);
    const silence = this.clock.now() - e.lastSeen;
    if (e.state === 'ready' || silence >= this.suspectAfterMs()) return null;
    const from = e.state;
    e.state = 'ready';
    return { hostId, from, to: 'ready' };
  }

  /** The agent said goodbye: down at once, no waiting for silence. */
  markDown(hostId: string): Transition | null {
    const e = this.entries.get(hostId);
    if (!e || e.state === 'down') return null;
    const from = e.state;
    e.state = 'down';
    e.lastSeen = Math.min(e.lastSeen, this.clock.now() - this.downAfterMs());
    return { hostId, from, to: 'down' };
  }

  forget(hostId: string) {
    this.entries.delete(hostId);
  }

  /** Applies silence thresholds; returns the transitions for the caller to persist. */
  sweep(): Transition[] {
    const now = this.clock.now();
    const suspectAfter = this.suspectAfterMs();
    const downAfter = this.downAfterMs();
    const out: Transition[] = [];
    for (const [hostId, e] of this.entries) {
      const silence = now - e.lastSeen;
      const next: HostLiveness =
        silence >= downAfter ? 'down' : silence >= suspectAfter ? 'suspect' : e.state;
      // Only silence moves a host towards down here; coming back happens in `seen`.
      if (next !== e.state && rank(next) > rank(e.state)) {
        out.push({ hostId, from: e.state, to: next });
        e.state = next;
      }
    }
    return out;
  }

  counts(): Record<HostLiveness, number> {
    const c = { ready: 0, suspect: 0, down: 0 };
    for (const e of this.entries.values()) c[e.state]++;
    return c;
  }

  get size() {
    return this.entries.size;
  }
}

function rank(s: HostLiveness): number {
  return s === 'ready' ? 0 : s === 'suspect' ? 1 : 2;
}
