import type { IntakeProgress } from '@apiary/protocol';
import { useEffect, useState } from 'preact/hooks';
import { intakeRatio, intakeText } from './intake-text.js';

/**
 * What a dialog shows while the controller downloads, checks and converts an image: the
 * operation's phase and the bytes downloaded of the total (a bar when the server said the
 * total, else an indeterminate one), and for how long.
 */
export function ControllerWork({ what, intake }: { what: string; intake?: IntakeProgress | null }) {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    const started = Date.now();
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 500);
    return () => clearInterval(timer);
  }, []);
  const ratio = intake ? intakeRatio(intake) : null;
  return (
    <div class="upload-progress" role="status" data-testid="controller-work">
      {ratio ? (
        <progress aria-label={what} value={ratio.value} max={ratio.max} />
      ) : (
        <progress aria-label={what} />
      )}
      <span class="muted small">
        {what}
        {intake ? ` · ${intakeText(intake)}` : ''} · {seconds}s
      </span>
    </div>
  );
}
