import type { ComponentChildren } from 'preact';

/**
 * A labelled form control with its hint and its error. The error is tied to the control with
 * aria-describedby so screen readers read it with the field.
 */
export function Field({
  id,
  label,
  hint,
  error,
  children,
  optional = false,
  wide = false,
}: {
  id: string;
  label: string;
  hint?: ComponentChildren;
  error?: string | undefined;
  children: ComponentChildren;
  optional?: boolean;
  /** Take two columns of a form grid (long values such as image names). */
  wide?: boolean;
}) {
  return (
    <div class={`field${error ? ' field-invalid' : ''}${wide ? ' field-wide' : ''}`}>
      <label for={id}>
        {label}
        {optional ? <span class="muted"> (optional)</span> : null}
      </label>
      {children}
      {error ? (
        <p class="field-error" id={`${id}-error`} data-testid={`error-${id}`}>
          {error}
        </p>
      ) : hint ? (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** aria attributes for the control inside a Field. */
export function describedBy(id: string, error: string | undefined) {
  return {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${id}-error` : `${id}-hint`,
  } as const;
}
