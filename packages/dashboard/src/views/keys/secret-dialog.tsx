import { Button } from '../../ui/button.js';
import { CopyButton } from '../../ui/copy-button.js';
import { Dialog } from '../../ui/dialog.js';
import { Icon } from '../../ui/icons.js';

/** A new key is shown exactly once: the controller keeps only its hash. */
export function SecretDialog({
  title,
  secret,
  usage,
  onClose,
}: {
  title: string;
  secret: string;
  usage: string;
  onClose: () => void;
}) {
  return (
    <Dialog
      open
      title={title}
      onClose={onClose}
      testId="secret-dialog"
      footer={
        <Button variant="primary" onClick={onClose}>
          I have stored it
        </Button>
      }
    >
      <p class="banner banner-warn">
        <Icon name="alert" />
        Copy it now. It cannot be shown again; if it is lost, revoke it and create another.
      </p>
      <div class="secret">
        <code data-testid="secret-value">{secret}</code>
        <CopyButton value={secret} label="Copy key" />
      </div>
      <p class="muted small">{usage}</p>
    </Dialog>
  );
}
