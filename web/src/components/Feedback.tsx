import type { ReactNode } from 'react';
import type { FieldError } from '../api/types.js';

export function Spinner({ label, size = 'md' }: { label?: string; size?: 'sm' | 'md' }) {
  return (
    <span className={`spinner spinner-${size}`} role={label ? 'status' : undefined}>
      {label ? <span className="visually-hidden">{label}</span> : null}
    </span>
  );
}

export function FullPageSpinner({ label }: { label: string }) {
  return (
    <div className="full-page-center" role="status" aria-live="polite">
      <span className="spinner spinner-md" aria-hidden="true" />
      <p className="muted">{label}</p>
    </div>
  );
}

export function ErrorState({
  title,
  message,
  onRetry,
}: {
  title: string;
  message: string;
  onRetry?: () => void;
}) {
  return (
    <div className="full-page-center">
      <div className="empty-state" role="alert">
        <h1 className="empty-title">{title}</h1>
        <p className="muted">{message}</p>
        {onRetry ? (
          <button type="button" className="btn btn-primary" onClick={onRetry}>
            Try again
          </button>
        ) : null}
      </div>
    </div>
  );
}

/** An inline error with the API's field-level details, if any. */
export function Alert({
  children,
  details,
  tone = 'error',
  onDismiss,
  action,
}: {
  children: ReactNode;
  details?: FieldError[];
  tone?: 'error' | 'warning' | 'info';
  onDismiss?: () => void;
  action?: ReactNode;
}) {
  return (
    <div className={`alert alert-${tone}`} role={tone === 'info' ? 'status' : 'alert'}>
      <div className="alert-body">
        <div>{children}</div>
        {details && details.length > 0 ? (
          <ul className="alert-details">
            {details.map((d) => (
              <li key={`${d.field}:${d.message}`}>
                {d.field ? (
                  <>
                    <strong>{d.field}</strong>:{' '}
                  </>
                ) : null}
                {d.message}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      {action}
      {onDismiss ? (
        <button type="button" className="alert-close" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      ) : null}
    </div>
  );
}
