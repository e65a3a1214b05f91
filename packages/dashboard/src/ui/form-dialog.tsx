import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { Button } from './button.js';
import { Dialog } from './dialog.js';

/**
 * The one form-in-a-dialog of the dashboard: its fields inside a real <form> (Enter submits),
 * Cancel and a primary submit button in the footer that spins and is disabled while the
 * request runs. Field errors are the fields' own (see `useFormSubmit`, which fills them from
 * the protocol's schema and from a controller's 4xx refusal).
 */
export function FormDialog({
  title,
  testId,
  submitLabel,
  busy,
  onSubmit,
  onClose,
  wide = false,
  children,
}: {
  title: string;
  testId: string;
  submitLabel: string;
  busy: boolean;
  onSubmit: () => void;
  onClose: () => void;
  wide?: boolean;
  children: ComponentChildren;
}) {
  const formId = `form-${useId()}`;
  return (
    <Dialog
      open
      title={title}
      onClose={onClose}
      testId={testId}
      wide={wide}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form={formId} busy={busy}>
            {submitLabel}
          </Button>
        </>
      }
    >
      <form
        id={formId}
        class="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!busy) onSubmit();
        }}
      >
        {children}
      </form>
    </Dialog>
  );
}
