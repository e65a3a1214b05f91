import type { ComponentChildren } from 'preact';
import { errorText } from '../state/toasts.js';
import { Button } from './button.js';
import { Icon, type IconName } from './icons.js';

export function PageHeader({
  title,
  subtitle,
  actions,
  back,
}: {
  title: ComponentChildren;
  subtitle?: ComponentChildren;
  actions?: ComponentChildren;
  back?: { href: string; label: string; onClick: (e: MouseEvent) => void };
}) {
  return (
    <header class="page-head">
      <div class="page-title">
        {back ? (
          <a class="back-link" href={back.href} onClick={back.onClick}>
            <Icon name="back" size={14} />
            {back.label}
          </a>
        ) : null}
        <h1>{title}</h1>
        {subtitle ? <p class="muted">{subtitle}</p> : null}
      </div>
      {actions ? <div class="page-actions">{actions}</div> : null}
    </header>
  );
}

export function EmptyState({
  icon,
  title,
  children,
  action,
}: {
  icon: IconName;
  title: string;
  children?: ComponentChildren;
  action?: ComponentChildren;
}) {
  return (
    <div class="empty">
      <div class="empty-icon">
        <Icon name={icon} size={22} />
      </div>
      <h3>{title}</h3>
      {children ? <p class="muted">{children}</p> : null}
      {action}
    </div>
  );
}

/** The first load of a screen: a skeleton while waiting, a retry when it failed. */
export function LoadState({
  loading,
  error,
  onRetry,
  what,
}: {
  loading: boolean;
  error: unknown;
  onRetry: () => void;
  what: string;
}) {
  if (error) {
    return (
      <div class="load-error" role="alert">
        <Icon name="alert" size={18} />
        <div>
          <strong>Could not load {what}</strong>
          <p class="muted">{errorText(error)}</p>
        </div>
        <Button size="sm" onClick={onRetry} icon="restart">
          Retry
        </Button>
      </div>
    );
  }
  return (
    <div class="skeleton" role="status" aria-busy={loading} aria-label={`Loading ${what}`}>
      <div />
      <div />
      <div />
    </div>
  );
}

/** A panel with a title row: the building block of detail pages. */
export function Panel({
  title,
  actions,
  children,
  testId,
  flush = false,
}: {
  title?: ComponentChildren;
  actions?: ComponentChildren;
  children: ComponentChildren;
  testId?: string;
  flush?: boolean;
}) {
  return (
    <section class={`panel${flush ? ' panel-flush' : ''}`} data-testid={testId}>
      {title || actions ? (
        <header class="panel-head">
          {title ? <h2>{title}</h2> : <span />}
          {actions ? <div class="panel-actions">{actions}</div> : null}
        </header>
      ) : null}
      {children}
    </section>
  );
}
