import { useEffect, useState } from 'preact/hooks';

/**
 * What a dialog shows while the controller downloads, checks and converts an image (the
 * request answers when the image is stored): what is happening, and for how long.
 */
export function ControllerWork({ what }: { what: string }) {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    const started = Date.now();
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 500);
    return () => clearInterval(timer);
  }, []);
  return (
    <div class="upload-progress" role="status" data-testid="controller-work">
      <progress aria-label={what} />
      <span class="muted small">
        {what} · {seconds}s
      </span>
    </div>
  );
}
