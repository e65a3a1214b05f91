import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { Icon } from './icons.js';

/**
 * A modal on the native <dialog> element: focus trapping, Escape and the backdrop come from the
 * browser, so it behaves like every other dialog the operator knows.
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
  footer,
  testId,
  wide = false,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  footer?: ComponentChildren;
  testId?: string;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the click closes on the backdrop; Escape is the dialog's own cancel event
    <dialog
      ref={ref}
      class={`dialog${wide ? ' dialog-wide' : ''}`}
      data-testid={testId}
      aria-label={title}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === ref.current) onClose();
      }}
    >
      {open ? (
        <div class="dialog-body">
          <header class="dialog-head">
            <h2>{title}</h2>
            <button type="button" class="icon-btn" aria-label="Close" onClick={onClose}>
              <Icon name="close" />
            </button>
          </header>
          <div class="dialog-content">{children}</div>
          {footer ? <footer class="dialog-foot">{footer}</footer> : null}
        </div>
      ) : null}
    </dialog>
  );
}
