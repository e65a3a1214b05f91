import { useEffect, useRef } from 'preact/hooks';
import { useApp } from '../../state/app-context.js';
import { errorText } from '../../state/toasts.js';
import { Button } from '../../ui/button.js';
import { consoleSocketUrl } from './console-url.js';
import type { ConsoleStatus } from './serial-console.js';

/**
 * The VM's graphical display through noVNC: an RFB session over the controller's websocket
 * proxy (the agent bridges it to the zone's vm.vnc socket). Scaled to the panel.
 */
export function VncConsole({
  vmId,
  org,
  attempt,
  onStatus,
}: {
  vmId: string;
  org: string;
  attempt: number;
  onStatus: (status: ConsoleStatus) => void;
}) {
  const { api } = useApp();
  const screen = useRef<HTMLDivElement>(null);
  const rfbRef = useRef<{ sendCtrlAltDel(): void } | null>(null);

  useEffect(() => {
    let disposed = false;
    let cleanup = () => {};
    onStatus({ state: 'connecting' });
    (async () => {
      // noVNC is loaded only when a VNC console is opened.
      const { default: RFB } = await import('@novnc/novnc');
      const ticket = await api.consoleTicket({
        params: { id: vmId },
        query: { org },
        body: { kind: 'vnc' },
      });
      if (disposed || !screen.current) return;
      const rfb = new RFB(screen.current, consoleSocketUrl(ticket, window.location.href), {
        shared: true,
      });
      rfb.scaleViewport = true;
      rfb.background = 'var(--console-bg)';
      rfbRef.current = rfb;
      rfb.addEventListener('connect', () => onStatus({ state: 'open' }));
      rfb.addEventListener('disconnect', (event) => {
        const clean = (event as CustomEvent<{ clean: boolean }>).detail?.clean;
        if (!disposed) onStatus({ state: 'closed', reason: clean ? 'closed' : 'connection lost' });
      });
      rfb.addEventListener('securityfailure', (event) => {
        const reason = (event as CustomEvent<{ reason?: string }>).detail?.reason;
        onStatus({ state: 'closed', reason: `security failure${reason ? `: ${reason}` : ''}` });
      });
      cleanup = () => rfb.disconnect();
    })().catch((error: unknown) => {
      if (!disposed) onStatus({ state: 'closed', reason: errorText(error) });
    });
    return () => {
      disposed = true;
      rfbRef.current = null;
      cleanup();
    };
  }, [api, vmId, org, attempt, onStatus]);

  return (
    <div class="vnc">
      <div class="vnc-screen" ref={screen} data-testid="vnc-console" />
      <div class="vnc-bar">
        <Button size="sm" onClick={() => rfbRef.current?.sendCtrlAltDel()}>
          Send Ctrl+Alt+Del
        </Button>
      </div>
    </div>
  );
}
