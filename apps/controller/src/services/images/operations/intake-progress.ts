import type { IntakeProgress } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../../context.js';
import type { IntakePhase, IntakeProgressSink } from '../intake/intake-run.js';
import type { DownloadProgress } from '../intake/outbound-fetch.js';

/** Download progress is written at most this often: a fast link must not become a write storm. */
const WRITE_EVERY_MS = 500;

/**
 * An intake operation's `progress` on its saga row: a phase change is written at once, the
 * downloaded bytes at most every half second, the last count held back written when that time
 * is up (a download that stalls still shows what arrived). Writes go one after another (a late download write
 * never lands after the phase that followed it); `flush` waits for the last.
 */
export class IntakeProgressWriter implements IntakeProgressSink {
  private state: IntakeProgress = { phase: 'download', bytes_received: 0, bytes_total: null };
  private lastAt = 0;
  private chain: Promise<void> = Promise.resolve();
  private trailing: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly sagaId: string,
  ) {}

  phase(phase: IntakePhase): void {
    this.state = { ...this.state, phase };
    this.write();
  }

  download({ received, total }: DownloadProgress): void {
    this.state = { ...this.state, bytes_received: received, bytes_total: total };
    const waited = Date.now() - this.lastAt;
    if (waited >= WRITE_EVERY_MS) this.write();
    else this.trailing ??= setTimeout(() => this.write(), WRITE_EVERY_MS - waited);
  }

  /** Waits for every write asked for so far; nothing is written after. */
  flush(): Promise<void> {
    clearTimeout(this.trailing);
    this.trailing = undefined;
    return this.chain;
  }

  private write(): void {
    clearTimeout(this.trailing);
    this.trailing = undefined;
    this.lastAt = Date.now();
    const progress = this.state;
    const { db, t } = this.ctx;
    this.chain = this.chain
      .then(async () => {
        await db.update(t.sagas).set({ progress }).where(eq(t.sagas.id, this.sagaId));
      })
      .catch((error: Error) =>
        this.ctx.log.warn({ err: error.message }, 'could not record the intake progress'),
      );
  }
}
