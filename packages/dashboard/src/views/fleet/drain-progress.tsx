import type { Drain } from '@apiary/protocol';
import { countdown } from '../../lib/format.js';
import { useNow } from '../../state/use-now.js';
import { ProgressBar } from '../../ui/progress.js';
import { StateChip } from '../../ui/state-chip.js';
import { drainReleaseNote } from './drain-releases.js';

const DRAIN_MODE_WORDS: Record<Drain['mode'], string> = {
  wait: 'wait for VMs',
  stop: 'stop VMs',
  migrate: 'move VMs',
};

/**
 * Honest drain progress: VMs gone out of VMs that were there, failures counted apart, and
 * "complete" only when the controller says the VMs are really gone.
 */
export function DrainProgress({ drain }: { drain: Drain }) {
  const now = useNow(1000);
  const gone = Math.max(0, drain.vms_total - drain.vms_remaining);
  const deadline =
    drain.deadline && drain.state === 'draining' ? countdown(drain.deadline, now) : null;
  const releases = drainReleaseNote(drain);
  const tone = drain.state === 'failed' ? 'red' : drain.complete ? 'green' : 'accent';
  return (
    <div class="drain" data-testid="drain-progress" data-drain-state={drain.state}>
      <div class="drain-head">
        <span class="drain-title">
          Drain <span class="muted">· {DRAIN_MODE_WORDS[drain.mode]}</span>
          {deadline ? <span class="muted"> · deadline {deadline.text}</span> : null}
        </span>
        <StateChip state={drain.complete ? 'complete' : drain.state} testId="drain-state" />
      </div>
      <ProgressBar
        value={drain.complete ? 1 : gone}
        total={drain.complete ? 1 : Math.max(drain.vms_total, 1)}
        tone={tone}
        label="Drain"
      />
      <div class="drain-counts">
        <span data-testid="drain-counts">
          {drain.vms_total === 0
            ? 'No VMs to move'
            : `${gone} of ${drain.vms_total} VMs gone · ${drain.vms_remaining} remaining`}
        </span>
        {drain.vms_failed > 0 ? (
          <span class="text-red" data-testid="drain-failed">
            {drain.vms_failed} failed
          </span>
        ) : null}
      </div>
      {releases ? (
        <div class="drain-releases small text-yellow" data-testid="drain-releasing">
          <div>{releases.text}</div>
          {releases.vms.map((v) => (
            <div key={v.id}>
              <span class="mono">{v.id}</span>: {v.warning}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
