import { StandardClose } from '@apiary/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useApp } from '../../state/app-context.js';
import { errorText } from '../../state/toasts.js';
import { consoleSocketUrl } from './console-url.js';

export type ConsoleStatus =
  | { state: 'connecting' }
  | { state: 'open' }
  | { state: 'closed'; reason: string };

/**
 * The VM's serial console (zlogin -C on its host) in an xterm.js terminal. Wire format: raw
 * terminal bytes in both directions; keystrokes go out as binary frames (never text frames, so
 * a bridge writing them to a pseudo-terminal needs no decoding), and text or binary frames
 * from the server are written as they come.
 */
export function SerialConsole({
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
  const host = useRef<HTMLDivElement>(null);
  const [, setReady] = useState(false);

  useEffect(() => {
    let disposed = false;
    let cleanup = () => {};
    onStatus({ state: 'connecting' });
    (async () => {
      // xterm is loaded only when a console is opened: most page views never need it.
      const [{ Terminal }, { FitAddon }] = await Promise.all([
        import('@xterm/xterm'),
        import('@xterm/addon-fit'),
        import('@xterm/xterm/css/xterm.css'),
      ]);
      if (disposed || !host.current) return;
      const styles = getComputedStyle(document.documentElement);
      const term = new Terminal({
        cursorBlink: true,
        convertEol: false,
        fontFamily: styles.getPropertyValue('--mono').trim() || 'monospace',
        fontSize: 13,
        scrollback: 5000,
        theme: {
          background: styles.getPropertyValue('--console-bg').trim() || '#0b0e12',
          foreground: styles.getPropertyValue('--console-fg').trim() || '#d8dee9',
          cursor: styles.getPropertyValue('--brand').trim() || '#e5a00d',
        },
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(host.current);
      fit.fit();
      setReady(true);

      let socket: WebSocket | undefined;
      try {
        const ticket = await api.consoleTicket({
          params: { id: vmId },
          query: { org },
          body: { kind: 'serial' },
        });
        if (disposed) return term.dispose();
        socket = new WebSocket(consoleSocketUrl(ticket, window.location.href));
      } catch (error) {
        term.writeln(`\r\n\x1b[31mCannot open the console: ${errorText(error)}\x1b[0m`);
        onStatus({ state: 'closed', reason: errorText(error) });
        cleanup = () => term.dispose();
        return;
      }
      socket.binaryType = 'arraybuffer';
      const encoder = new TextEncoder();
      socket.onopen = () => {
        onStatus({ state: 'open' });
        term.focus();
      };
      socket.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
        term.write(typeof event.data === 'string' ? event.data : new Uint8Array(event.data));
      };
      socket.onclose = (event) => {
        const reason =
          event.reason ||
          (event.code === StandardClose.normal ? 'closed' : `closed (code ${event.code})`);
        term.writeln(`\r\n\x1b[90m[console ${reason}]\x1b[0m`);
        if (!disposed) onStatus({ state: 'closed', reason });
      };
      const input = term.onData((data) => {
        if (socket?.readyState === WebSocket.OPEN) socket.send(encoder.encode(data));
      });
      const binaryInput = term.onBinary((data) => {
        if (socket?.readyState !== WebSocket.OPEN) return;
        socket.send(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff));
      });
      const resize = new ResizeObserver(() => fit.fit());
      resize.observe(host.current);
      cleanup = () => {
        resize.disconnect();
        input.dispose();
        binaryInput.dispose();
        socket?.close(StandardClose.normal, 'closed by user');
        term.dispose();
      };
    })().catch((error: unknown) => onStatus({ state: 'closed', reason: errorText(error) }));
    return () => {
      disposed = true;
      cleanup();
    };
  }, [api, vmId, org, attempt, onStatus]);

  return <div class="terminal" ref={host} data-testid="serial-console" />;
}
