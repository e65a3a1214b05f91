import type { ComponentChildren } from 'preact';
import { usageErrorText } from '../../lib/usage-error.js';
import { Icon } from '../../ui/icons.js';

/** A failed stats call: said in words, above whatever was last shown (it stays, dated). */
export function UsageError({ error }: { error: unknown }) {
  return (
    <div class="usage-notice usage-error" role="alert" data-testid="usage-error">
      <Icon name="alert" size={16} />
      <span>{usageErrorText(error)}</span>
    </div>
  );
}

export function UsageNotice({ children }: { children: ComponentChildren }) {
  return (
    <div class="usage-notice muted" data-testid="usage-notice">
      <Icon name="info" size={16} />
      <span>{children}</span>
    </div>
  );
}
