import { useState } from 'preact/hooks';
import { Icon } from './icons.js';

/** Copies a value (an SSH command, a key shown once) and says so. */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard refused (insecure origin or permissions): the value stays selectable.
    }
  };
  return (
    <button
      type="button"
      class="icon-btn copy-btn"
      aria-label={copied ? 'Copied' : label}
      title={copied ? 'Copied' : label}
      onClick={copy}
    >
      <Icon name={copied ? 'check' : 'copy'} size={14} />
    </button>
  );
}
