import { countdown, formatDateTime } from '../lib/format.js';
import { useNow } from '../state/use-now.js';

/** Time until an environment expires, colored as it gets close. */
export function Countdown({ expiresAt }: { expiresAt: string }) {
  const now = useNow(1000);
  const { text, urgency } = countdown(expiresAt, now);
  return (
    <time
      class={`countdown countdown-${urgency}`}
      dateTime={expiresAt}
      title={`Expires ${formatDateTime(expiresAt)}`}
      data-testid="expiry"
    >
      {text}
    </time>
  );
}
