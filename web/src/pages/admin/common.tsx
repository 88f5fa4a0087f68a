/**
 * What the admin screens share: a settings list loaded from the API, the
 * "last changed" line, the states of an editor before its item has loaded,
 * checks of a new item's id, If-Match for a known version, a checkbox group,
 * a list editor (one value a line), a submit button, and ordering helpers.
 * Loaded with the admin screens only (the shell imports `AdminOnly` from its
 * own module), so none of this is in the bundle agents load at start.
 */
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError, get, isAbort, messageOf, type RequestOptions } from '../../api/client.js';
import type { FieldError, Items } from '../../api/types.js';
import { Alert, Spinner } from '../../components/Feedback.js';
import { FieldMessage, type FormErrors } from '../../components/FormErrors.js';
import { fullTime, relativeTime } from '../../lib/format.js';
import { Link, NEW_ITEM } from '../../lib/router.js';

/** A settings list loaded from the API (`{ items }`), with a reload. */
export function useItems<T>(path: string) {
  const [items, setItems] = useState<T[]>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);

  const load = useCallback(
    async (signal?: AbortSignal): Promise<T[] | undefined> => {
      setLoading(true);
      try {
        const result = await get<Items<T>>(path, signal);
        setItems(result.items);
        setError(undefined);
        setLoading(false);
        return result.items;
      } catch (e) {
        if (isAbort(e)) return undefined;
        setError(messageOf(e));
        setLoading(false);
        return undefined;
      }
    },
    [path],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  return { items, error, loading, reload: load };
}

/** One item loaded from the API (a department's layout), with a reload. */
export function useResource<T>(path: string | null) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(path !== null);

  const load = useCallback(
    async (signal?: AbortSignal): Promise<T | undefined> => {
      if (path === null) return undefined;
      setLoading(true);
      try {
        const result = await get<T>(path, signal);
        setData(result);
        setError(undefined);
        setLoading(false);
        return result;
      } catch (e) {
        if (isAbort(e)) return undefined;
        setError(messageOf(e));
        setLoading(false);
        return undefined;
      }
    },
    [path],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  return { data, error, loading, reload: load };
}

export function Updated({ version, at, by, now }: { version: number; at: string; by: string; now: number }) {
  return (
    <span className="muted small">
      Version {version} · {by} ·{' '}
      <time dateTime={at} title={fullTime(at)}>
        {relativeTime(at, now)}
      </time>
    </span>
  );
}

export function BackTo({ to, label }: { to: string; label: string }) {
  return (
    <Link to={to} className="back-link">
      <span aria-hidden="true">←</span> {label}
    </Link>
  );
}

/** A list that could not be loaded, with a retry. */
export function LoadProblem({ what, error, onRetry }: { what: string; error: string; onRetry(): void }) {
  return (
    <Alert
      action={
        <button type="button" className="btn btn-secondary btn-sm" onClick={onRetry}>
          Retry
        </button>
      }
    >
      {what} could not be loaded: {error}
    </Alert>
  );
}

/**
 * An editor whose item is not there yet: loading, failed to load, or no such
 * item. `noun`: "department", "custom field"...
 */
export function EditorFallback({
  back,
  backLabel,
  noun,
  id,
  error,
  missing,
}: {
  back: string;
  backLabel: string;
  noun: string;
  id: string | null;
  error: string | undefined;
  missing: boolean;
}) {
  if (error || missing) {
    return (
      <div className="page admin-page">
        <BackTo to={back} label={backLabel} />
        <div className="empty-state">
          <h1 className="empty-title" tabIndex={-1}>
            {error ? `The ${noun} could not be loaded` : `${capitalise(noun)} not found`}
          </h1>
          <p className="muted">{error ?? `There is no ${noun} with the id “${id}”.`}</p>
        </div>
      </div>
    );
  }
  return (
    <div className="page admin-page" aria-busy="true">
      <BackTo to={back} label={backLabel} />
      <Spinner label={`Loading ${noun}`} />
    </div>
  );
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `If-Match` for a version read from the server; nothing for an item not saved yet. */
export function ifMatch(version: number | null | undefined): Pick<RequestOptions, 'ifMatch'> {
  return version ? { ifMatch: `"${version}"` } : {};
}

/** What is wrong with the id of an item being created (empty, reserved, taken), as field errors. */
export function newIdProblems(
  id: string,
  noun: string,
  taken: (id: string) => boolean,
  pattern?: { test: RegExp; message: string },
): FieldError[] {
  if (!id) return [{ field: 'id', message: `Give the ${noun} an id` }];
  if (id === NEW_ITEM) return [{ field: 'id', message: `“${NEW_ITEM}” is reserved` }];
  if (pattern && !pattern.test.test(id)) return [{ field: 'id', message: pattern.message }];
  if (taken(id)) return [{ field: 'id', message: `A ${noun} with this id exists already` }];
  return [];
}

/** An id made from a name: lower case, accents dropped, other characters become `separator`. */
export function slugOf(name: string, separator: '-' | '_' = '-', max = 60): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, separator)
    .slice(0, max);
  return slug.replace(separator === '-' ? /^-+|-+$/g : /^_+|_+$/g, '');
}

/**
 * Runs a request, turning a 409 (an item with that id exists) into a field
 * error on `field`, so `useSave` shows it next to the control that caused it.
 */
export async function conflictOn<T>(field: string, request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof ApiError && error.status === 409 && error.details.length === 0) {
      throw new ApiError(400, error.code, error.message, [{ field, message: error.message }]);
    }
    throw error;
  }
}

/** Values typed as a list: split at commas and new lines, trimmed, empty ones dropped. */
export function splitList(text: string, separators: RegExp = /[,\n]/): string[] {
  return text
    .split(separators)
    .map((v) => v.trim())
    .filter(Boolean);
}

/** `list` with the item at `index` moved by `delta` places (unchanged at the ends). */
export function moveItem<T>(list: readonly T[], index: number, delta: number): T[] {
  const to = index + delta;
  if (index < 0 || index >= list.length || to < 0 || to >= list.length) return [...list];
  const next = [...list];
  const [item] = next.splice(index, 1) as [T];
  next.splice(to, 0, item);
  return next;
}

/** Adds or removes `value` (keeping the others in order). */
export function toggled<T>(list: readonly T[], value: T, on: boolean): T[] {
  return on ? [...list.filter((v) => v !== value), value] : list.filter((v) => v !== value);
}

export function SaveButton({ saving, label }: { saving: boolean; label: string }) {
  return (
    <button type="submit" className="btn btn-primary" disabled={saving}>
      {saving ? <Spinner size="sm" /> : null}
      {saving ? 'Saving…' : label}
    </button>
  );
}

/** Checkboxes for a set of values; `none` says what choosing none means. */
export function CheckboxGroup({
  legend,
  errors,
  path,
  options,
  selected,
  onChange,
  none,
  inline = false,
}: {
  legend: string;
  errors: FormErrors;
  path: string;
  options: { value: string; label: string }[];
  selected: readonly string[];
  onChange(selected: string[]): void;
  none: string;
  /** Options in a row (short labels) rather than a column. */
  inline?: boolean;
}) {
  return (
    <fieldset className={`field checkbox-group${inline ? ' is-inline' : ''}`} {...errors.group(path, true)}>
      <legend className="field-label">{legend}</legend>
      {options.length === 0 ? <span className="muted small">None defined</span> : null}
      <div className="checkbox-options">
        {options.map((o) => {
          const cid = `${errors.id(path)}-${o.value.replace(/[^A-Za-z0-9_-]/g, '-')}`;
          return (
            <div key={o.value} className="checkbox-option">
              <input
                id={cid}
                type="checkbox"
                checked={selected.includes(o.value)}
                onChange={(e) => onChange(toggled(selected, o.value, e.target.checked))}
              />
              <label htmlFor={cid}>{o.label}</label>
            </div>
          );
        })}
      </div>
      <span className="muted small">{selected.length === 0 ? none : `${selected.length} chosen`}</span>
      <FieldMessage errors={errors} path={path} nested />
    </fieldset>
  );
}

/**
 * A labelled text control with its hint and the server's messages for
 * `path` (and, with `nested`, anything under it), described by both.
 */
export function TextField({
  label,
  errors,
  path,
  value,
  onChange,
  hint,
  nested = false,
  multiline = false,
  className,
  children,
  ...input
}: {
  label: string;
  errors: FormErrors;
  path: string;
  value: string;
  onChange(value: string): void;
  hint?: ReactNode;
  nested?: boolean;
  multiline?: boolean;
  className?: string;
  children?: ReactNode;
  type?: string;
  placeholder?: string;
  inputMode?: 'numeric' | 'decimal' | 'email' | 'text';
  min?: number;
  step?: number | 'any';
  rows?: number;
  spellCheck?: boolean;
  disabled?: boolean;
  mono?: boolean;
}) {
  const control = errors.control(path, nested);
  const hintId = hint ? `${control.id}-hint` : undefined;
  const describedBy = [hintId, control['aria-describedby']].filter(Boolean).join(' ') || undefined;
  const { mono, rows, ...rest } = input;
  const shared = {
    ...control,
    'aria-describedby': describedBy,
    className: mono ? 'mono' : undefined,
    value,
    autoComplete: 'off',
  };
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={control.id}>{label}</label>
      {multiline ? (
        <textarea {...shared} rows={rows ?? 4} onChange={(e) => onChange(e.target.value)} {...rest} />
      ) : (
        <input {...shared} onChange={(e) => onChange(e.target.value)} {...rest} />
      )}
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {children}
      <FieldMessage errors={errors} path={path} nested={nested} />
    </div>
  );
}
