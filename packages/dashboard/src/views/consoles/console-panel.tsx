import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { Button } from '../../ui/button.js';
import { Icon } from '../../ui/icons.js';
import { type ConsoleStatus, SerialConsole } from './serial-console.js';
import { VncConsole } from './vnc-console.js';

export type ConsoleKind = 'serial' | 'vnc';

const STATUS_TEXT = { connecting: 'Connecting…', open: 'Connected' } as const;

/** Serial and VNC consoles of one VM, in a panel under the VM list. */
export function ConsolePanel({
  vmId,
  org,
  kind,
  onKind,
  onClose,
}: {
  vmId: string;
  /** The VM's organization: VM names are unique within it only. */
  org: string;
  kind: ConsoleKind;
  onKind: (kind: ConsoleKind) => void;
  onClose: () => void;
}) {
  const [status, setStatus] = useState<ConsoleStatus>({ state: 'connecting' });
  const [attempt, setAttempt] = useState(0);
  const report = useCallback((s: ConsoleStatus) => setStatus(s), []);
  const ref = useRef<HTMLElement>(null);
  // The panel opens under the VM list, often below the fold: bring it into view when it opens
  // (or switches to another VM) so the operator sees the console they asked for.
  useEffect(() => {
    const reduce = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    ref.current?.scrollIntoView({ behavior: reduce ? 'auto' : 'smooth', block: 'nearest' });
  }, [vmId]);
  return (
    <section
      ref={ref}
      class="console-panel"
      data-testid="console-panel"
      aria-label={`Console of ${vmId}`}
    >
      <header class="console-head">
        <div class="console-title">
          <Icon name={kind === 'serial' ? 'terminal' : 'monitor'} />
          <strong class="mono">{vmId}</strong>
          <div class="segmented segmented-sm" role="tablist" aria-label="Console kind">
            {(['serial', 'vnc'] as const).map((k) => (
              <button
                key={k}
                type="button"
                role="tab"
                aria-selected={kind === k}
                class={kind === k ? 'active' : undefined}
                onClick={() => onKind(k)}
              >
                {k === 'serial' ? 'Serial' : 'VNC'}
              </button>
            ))}
          </div>
          <span
            class={`console-status console-${status.state}`}
            data-testid="console-status"
            data-state={status.state}
          >
            <span class="live-dot" aria-hidden="true" />
            {status.state === 'closed'
              ? `Disconnected: ${status.reason}`
              : STATUS_TEXT[status.state]}
          </span>
        </div>
        <div class="actions">
          {status.state === 'closed' ? (
            <Button size="sm" icon="restart" onClick={() => setAttempt((n) => n + 1)}>
              Reconnect
            </Button>
          ) : null}
          <button type="button" class="icon-btn" aria-label="Close console" onClick={onClose}>
            <Icon name="close" />
          </button>
        </div>
      </header>
      {kind === 'serial' ? (
        <SerialConsole
          key={`serial-${vmId}`}
          vmId={vmId}
          org={org}
          attempt={attempt}
          onStatus={report}
        />
      ) : (
        <VncConsole key={`vnc-${vmId}`} vmId={vmId} org={org} attempt={attempt} onStatus={report} />
      )}
    </section>
  );
}
