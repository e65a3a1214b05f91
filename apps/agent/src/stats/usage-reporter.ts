import {
  bodyIssues,
  type HostUsage,
  USAGE_SUMMARY_MAX_AGE_MS,
  USAGE_SUMMARY_THRESHOLDS,
  type UsageSummary,
  usageMoved,
} from '@apiary/protocol';

/*
 * The usage summary heartbeats carry: CPU %, memory used, and the external link's traffic.
 * A heartbeat carries it only when it moved by more than a threshold since the summary the
 * controller last accepted, so a quiet host's heartbeats stay as small as before. It is sent
 * again after MAX_AGE_MS even unchanged (a controller that restarted knows it again within
 * minutes) and after every registration. A summary sent because it moved is followed by the
 * next sample's if that differs at all: a move caught mid-ramp (the first sample after a load
 * change covers part of an interval) settles at its real value, not up to a threshold away
 * from it for as long as the load holds. A controller that refuses the field (one older than
 * the field, whose heartbeat schema is strict) gets heartbeats without it until the next
 * registration.
 */

/** The thresholds and the rule live in protocol: the controller applies them to polled summaries. */
export const SUMMARY_THRESHOLDS = USAGE_SUMMARY_THRESHOLDS;
export const MAX_AGE_MS = USAGE_SUMMARY_MAX_AGE_MS;
export const movedEnough = usageMoved;

/** The summary of one host sample; null until the sample has rates. */
export function summarize(host: HostUsage, externalLink: string): UsageSummary | null {
  if (host.cpu.busy === null) return null;
  const link = host.links.find((l) => l.link === externalLink);
  return {
    sampled_at: host.sampled_at,
    cpu_percent: Math.round(host.cpu.busy * 1000) / 10,
    mem_used_bytes: host.memory.used_bytes,
    mem_total_bytes: host.memory.total_bytes,
    net_rx_bytes_per_s: roundOrNull(link?.rx_bytes_per_s),
    net_tx_bytes_per_s: roundOrNull(link?.tx_bytes_per_s),
  };
}

/** Whether any figure (not the time) of two summaries differs. */
function differs(a: UsageSummary, b: UsageSummary): boolean {
  return (
    a.cpu_percent !== b.cpu_percent ||
    a.mem_used_bytes !== b.mem_used_bytes ||
    a.mem_total_bytes !== b.mem_total_bytes ||
    a.net_rx_bytes_per_s !== b.net_rx_bytes_per_s ||
    a.net_tx_bytes_per_s !== b.net_tx_bytes_per_s
  );
}

const roundOrNull = (x: number | null | undefined) => (x == null ? null : Math.round(x));

/**
 * Whether a refused heartbeat was refused for its usage summary: an unknown key `usage` (a
 * controller older than the field) or an issue inside it. Any other refusal is not ours.
 */
export function refusesUsage(error: unknown): boolean {
  return bodyIssues(error).some(
    (i) => i.path === 'usage' || i.path.startsWith('usage.') || (i.keys ?? []).includes('usage'),
  );
}

/** What the controller link asks before each heartbeat and tells after it. */
export class UsageReporter {
  private last: UsageSummary | null = null;
  private lastAt = 0;
  private refusedByController = false;
  /** Why the summary `pending` returned is sent: a move is settled by the next sample. */
  private reason: 'first' | 'move' | 'settle' = 'first';
  /** The last summary delivered was a move: the next distinct sample is sent once more. */
  private settling = false;

  constructor(
    private readonly current: () => UsageSummary | null,
    private readonly now: () => number = Date.now,
  ) {}

  /** The summary to send with this heartbeat, if any. */
  pending(): UsageSummary | undefined {
    if (this.refusedByController) return undefined;
    const next = this.current();
    if (!next) return undefined;
    if (!this.last || this.now() - this.lastAt >= MAX_AGE_MS) {
      this.reason = 'first';
      return next;
    }
    if (next.sampled_at === this.last.sampled_at) return undefined;
    if (movedEnough(this.last, next)) {
      this.reason = 'move';
      return next;
    }
    if (this.settling && differs(this.last, next)) {
      this.reason = 'settle';
      return next;
    }
    return undefined;
  }

  /** The controller accepted a heartbeat carrying `summary`. */
  delivered(summary: UsageSummary): void {
    this.last = summary;
    this.lastAt = this.now();
    this.settling = this.reason === 'move';
  }

  /** The controller refused a heartbeat carrying a summary (400): stop sending it. */
  refused(): void {
    this.refusedByController = true;
  }

  /** A new registration: the controller may be another (or upgraded) one. */
  reset(): void {
    this.last = null;
    this.refusedByController = false;
  }
}
