import { formatBytes, type IntakeProgress } from '@apiary/protocol';
import { useEffect, useState } from 'preact/hooks';

const PHASES: Record<IntakeProgress['phase'], string> = {
  download: 'downloading',
  verify: 'checking the checksum',
  unpack: 'unpacking the box',
  convert: 'converting to raw (qemu-img)',
  store: 'storing',
};

/**
 * What a dialog shows while the controller downloads, checks and converts an image: the
 * operation's phase and the bytes downloaded of the total (a bar when the server said the
 * total, else a running count), and for how long.
 */
export function ControllerWork({ what, intake }: { what: string; intake?: IntakeProgress | null }) {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    const started = Date.now();
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 500);
    return () => clearInterval(timer);
  }, []);
  const known = intake?.phase === 'download' && intake.bytes_total ? intake.bytes_total : null;
  const bytes =
    intake?.phase === 'download' && intake.bytes_received > 0
      ? ` · ${formatBytes(intake.bytes_received)}${known ? ` of ${formatBytes(known)}` : ''}`
      : '';
  return (
    <div class="upload-progress" role="status" data-testid="controller-work">
      {known && intake ? (
        <progress aria-label={what} value={intake.bytes_received} max={known} />
      ) : (
        <progress aria-label={what} />
      )}
      <span class="muted small">
        {what}
        {intake ? ` · ${PHASES[intake.phase]}` : ''}
        {bytes} · {seconds}s
      </span>
    </div>
  );
}
