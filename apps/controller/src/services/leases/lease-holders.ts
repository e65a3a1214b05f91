/** A lease as one source knows it: held (its epoch and expiry) or known but not held (nulls). */
export interface LeaseState {
  name: string;
  epoch: number | null;
  /** ms since the epoch, in the database's clock (see lease.ts). */
  expiresAt: number | null;
}

/** A lease this controller holds now. */
export interface HeldLease {
  name: string;
  kind: string;
  epoch: number;
  expiresAt: number;
}

/** One kind of lease a part of the controller takes (singleton passes, environment sagas...). */
export interface LeaseSource {
  /** `pass`, `saga`, ...: `/metrics` counts the held leases of each kind. */
  kind: string;
  /**
   * Whether `/metrics` gives each lease its own series (`lease="..."`). Only for a small fixed
   * set of names (the passes): one series per environment would grow without bound.
   */
  seriesPerLease: boolean;
  leases(): LeaseState[];
}

/**
 * Every lease this controller holds, for `/v1/health` and `/metrics`, whatever part of it took
 * them: each part registers a source, and both readers ask all sources when they are read.
 */
export class LeaseHolders {
  private readonly sources = new Set<LeaseSource>();

  /** Adds a source; the returned function removes it. */
  register(source: LeaseSource): () => void {
    this.sources.add(source);
    return () => void this.sources.delete(source);
  }

  /**
   * The leases held at `now` (ms): taken, not given up, not past their expiry. A lease whose
   * renewal is late counts as lost here already, as it would for another controller.
   */
  held(now: number): HeldLease[] {
    const held: HeldLease[] = [];
    for (const source of this.sources) {
      for (const l of source.leases()) {
        if (l.epoch !== null && l.expiresAt !== null && l.expiresAt > now) {
          held.push({ name: l.name, kind: source.kind, epoch: l.epoch, expiresAt: l.expiresAt });
        }
      }
    }
    return held.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The leases of sources that want one series each, held or not (held ones with their epoch). */
  perLease(now: number): Array<{ name: string; epoch: number | null }> {
    const heldNow = new Map(this.held(now).map((l) => [l.name, l.epoch]));
    const known: Array<{ name: string; epoch: number | null }> = [];
    for (const source of this.sources) {
      if (!source.seriesPerLease) continue;
      for (const l of source.leases())
        known.push({ name: l.name, epoch: heldNow.get(l.name) ?? null });
    }
    return known;
  }

  /** The kinds of every source, each with how many of its leases are held. */
  countsByKind(now: number): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const source of this.sources) counts[source.kind] ??= 0;
    for (const l of this.held(now)) counts[l.kind] = (counts[l.kind] ?? 0) + 1;
    return counts;
  }
}
