import type { ComponentChildren, JSX } from 'preact';
import { Icon, type IconName } from './icons.js';

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';

type Props = Omit<JSX.ButtonHTMLAttributes<HTMLButtonElement>, 'icon' | 'type' | 'size'> & {
  variant?: ButtonVariant;
  size?: 'sm' | 'md';
  icon?: IconName;
  /** Shows a spinner and disables the button while an action runs. */
  busy?: boolean;
  disabled?: boolean;
  type?: 'button' | 'submit';
  children?: ComponentChildren;
};

export function Button({
  variant = 'secondary',
  size = 'md',
  icon,
  busy = false,
  disabled,
  type = 'button',
  children,
  class: className,
  ...rest
}: Props) {
  const classes = ['btn', `btn-${variant}`, size === 'sm' ? 'btn-sm' : '', className ?? '']
    .filter(Boolean)
    .join(' ');
  return (
    <button
      type={type}
      class={classes}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy ? <span class="spinner" aria-hidden="true" /> : icon ? <Icon name={icon} /> : null}
      {children}
    </button>
  );
}
