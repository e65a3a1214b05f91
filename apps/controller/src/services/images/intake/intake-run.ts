import type { IntakeProgress } from '@apiary/protocol';
import type { DownloadProgress } from './outbound-fetch.js';

export type IntakePhase = IntakeProgress['phase'];

/** Where an intake tells how far it is (an operation's progress; nothing for a direct call). */
export interface IntakeProgressSink {
  phase(phase: IntakePhase): void;
  download(progress: DownloadProgress): void;
}

/** How an intake runs when it is an operation's work rather than a request's. */
export interface IntakeRun {
  /** Stops the download (the controller shutting down): the operation is resumed elsewhere. */
  signal?: AbortSignal;
  progress?: IntakeProgressSink;
  /** Names the staging directory (the operation's id): a rerun starts by clearing it. */
  stagingName?: string;
}
