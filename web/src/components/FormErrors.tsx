/**
 * Saving a versioned settings form: the server's field errors (400) next to
 * the fields and in a summary that moves focus to the field, and the
 * "changed by someone else" banner (412) with a reload.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, messageOf } from '../api/client.js';
import type { FieldError } from '../api/types.js';
import { Spinner } from './Feedback.js';

export type SaveProblem =
  | { kind: 'conflict'; message: string }
  | { kind: 'error'; message: string; details: FieldError[] };

/** Runs a save, turning failures into a `SaveProblem`; `true` when it succeeded. */
export function useSave() {
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<SaveProblem>();
  const run = useCallback(async (save: () => Promise<void>): Promise<boolean> => {
    setSaving(true);
    setProblem(undefined);
    try {
      await save();
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        setProblem({ kind: 'conflict', message: error.message });
      } else if (error instanceof ApiError) {
        setProblem({ kind: 'error', message: error.message, details: error.details });
      } else {
        setProblem({ kind: 'error', message: messageOf(error), details: [] });
      }
      return false;
    } finally {
      setSaving(false);
    }
  }, []);
  return { saving, problem, setProblem, run };
}

/** Field errors of a form, looked up by the API's dotted paths (`targets.normal.firstResponseMinutes`). */
export class FormErrors {
  constructor(
    readonly form: string,
    readonly list: readonly FieldError[],
  ) {}

  static from(form: string, problem: SaveProblem | undefined, local: readonly FieldError[] = []): FormErrors {
    return new FormErrors(form, [...local, ...(problem?.kind === 'error' ? problem.details : [])]);
  }

  /** The DOM id of the control for `path`. */
  id(path: string): string {
    return `${this.form}-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  }

  errorId(path: string): string {
    return `${this.id(path)}-error`;
  }

  /** Messages for `path` itself, or with `nested` for anything under it too. */
  at(path: string, nested = false): string[] {
    return this.list
      .filter((e) => e.field === path || (nested && e.field.startsWith(`${path}.`)))
      .map((e) => e.message);
  }

  /** id and aria-describedby for a group of controls (a fieldset), which takes no aria-invalid. */
  group(path: string, nested = false): { id: string; 'aria-describedby'?: string } {
    return this.at(path, nested).length > 0
      ? { id: this.id(path), 'aria-describedby': this.errorId(path) }
      : { id: this.id(path) };
  }

  /** id, aria-invalid and aria-describedby for the control of `path`. */
  control(path: string, nested = false): { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string } {
    const invalid = this.at(path, nested).length > 0;
    return invalid
      ? { id: this.id(path), 'aria-invalid': true, 'aria-describedby': this.errorId(path) }
      : { id: this.id(path) };
  }
}

/** The messages for one field, under it. */
export function FieldMessage({
  errors,
  path,
  nested,
}: {
  errors: FormErrors;
  path: string;
  nested?: boolean;
}) {
  const messages = [...new Set(errors.at(path, nested))];
  if (messages.length === 0) return null;
  return (
    <p className="field-error" id={errors.errorId(path)}>
      {messages.join('; ')}
    </p>
  );
}

/** Focus the control of `path`, or of the nearest enclosing path that has one. */
export function focusField(errors: FormErrors, path: string): void {
  const parts = path.split('.');
  for (let n = parts.length; n >= 0; n--) {
    const el = document.getElementById(errors.id(parts.slice(0, n).join('.') || 'form'));
    if (!el) continue;
    const target = el.matches('input, select, textarea, button')
      ? el
      : el.querySelector<HTMLElement>('input, select, textarea, button');
    (target ?? el).focus();
    return;
  }
}

/**
 * The banner above a form: a 412 says someone else saved first (reload), a
 * 400 lists the server's field errors, each a button that focuses its field.
 * Takes focus when it appears so keyboard and screen reader users notice.
 */
export function SaveProblemBanner({
  problem,
  errors,
  labelOf,
  noun,
  onReload,
  reloading,
}: {
  problem: SaveProblem | undefined;
  errors: FormErrors;
  labelOf(path: string): string;
  noun: string;
  onReload(): void;
  reloading: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (problem) ref.current?.focus();
  }, [problem]);
  if (!problem) return null;
  if (problem.kind === 'conflict') {
    return (
      <div className="alert alert-warning form-banner" role="alert" tabIndex={-1} ref={ref}>
        <div className="alert-body">
          <strong>This {noun} was changed by someone else</strong> since you opened it. Reload it to see their
          changes, then make yours again.
        </div>
        <button type="button" className="btn btn-secondary btn-sm" onClick={onReload} disabled={reloading}>
          {reloading ? <Spinner size="sm" /> : null}
          Reload
        </button>
      </div>
    );
  }
  return (
    <div className="alert alert-error form-banner" role="alert" tabIndex={-1} ref={ref}>
      <div className="alert-body">
        <div>
          {problem.details.length > 0
            ? `The ${noun} was not saved: fix the highlighted fields.`
            : problem.message}
        </div>
        {problem.details.length > 0 ? (
          <ul className="alert-details">
            {problem.details.map((d) => (
              <li key={`${d.field}:${d.message}`}>
                <button
                  type="button"
                  className="link-button error-link"
                  onClick={() => focusField(errors, d.field)}
                >
                  {labelOf(d.field)}
                </button>
                : {d.message}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}

/** Puts focus on an element once it has rendered (a row just added). */
export function useFocusAfterRender(): (id: string) => void {
  const [pending, setPending] = useState<string>();
  useEffect(() => {
    if (!pending) return;
    document.getElementById(pending)?.focus();
    setPending(undefined);
  }, [pending]);
  return setPending;
}
