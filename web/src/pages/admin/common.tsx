/**
 * What the admin screens share: a settings list loaded from the API, the
 * "last changed" line, the states of an editor before its item has loaded,
 * checks of a new item's id, If-Match for a known version, a checkbox group,
 * a list editor (one value a line), a submit button, and ordering helpers.
 * Loaded with the admin screens only (the shell imports `AdminOnly` from its
 * own module), so none of this is in the bundle agents load at start.
 */
import {
  type ComponentProps,
  type FormEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useState,
} from 'react';
import { ApiError, get, isAbort, messageOf, type RequestOptions } from '../../api/client.js';
import type { FieldError, Items } from '../../api/types.js';
import { Alert, Spinner } from '../../components/Feedback.js';
import {
  FieldMessage,
  FormErrors,
  type SaveProblem,
  SaveProblemBanner,
  useSave,
} from '../../components/FormErrors.js';
import { fullTime, relativeTime } from '../../lib/format.js';
import { Link, NEW_ITEM } from '../../lib/router.js';
import { setPageTitle } from '../../lib/title.js';

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

/** A settings list loaded from the API (`{ items }`), with a reload. */
export function useItems<T>(path: string) {
  const { data, error, loading, reload } = useResource<Items<T>>(path);
  const reloadItems = useCallback(
    async (signal?: AbortSignal): Promise<T[] | undefined> => (await reload(signal))?.items,
    [reload],
  );
  return { items: data?.items, error, loading, reload: reloadItems };
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
  longNoun = noun,
}: {
  back: string;
  backLabel: string;
  noun: string;
  /** The noun in "There is no … with the id" ("SLA policy" where `noun` is "policy"). */
  longNoun?: string;
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
          <p className="muted">{error ?? `There is no ${longNoun} with the id “${id}”.`}</p>
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

/**
 * `If-Match` for a version read from the server; `"0"` for an item not saved
 * yet, so a save never overwrites one another admin created with the same id
 * meanwhile (the server answers 412).
 */
export function ifMatch(version: number | null | undefined): Pick<RequestOptions, 'ifMatch'> {
  return { ifMatch: `"${version ?? 0}"` };
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

/** Sets the document title while the page shows `title`. */
export function usePageTitle(title: string): void {
  useEffect(() => setPageTitle(title), [title]);
}

const asIs = (problem: SaveProblem | undefined) => problem;

/**
 * An editor form's state: its id prefix, the save in flight with its problem
 * (`useSave`), and the server's field errors keyed to the form's controls.
 * `shape` (a module-level function) rewrites the problem before it is shown
 * (`shown`), e.g. to move messages onto the rows they name.
 */
export function useEditorForm(shape: (problem: SaveProblem | undefined) => SaveProblem | undefined = asIs) {
  const formId = useId();
  const save = useSave();
  const shown = useMemo(() => shape(save.problem), [shape, save.problem]);
  const errors = useMemo(() => FormErrors.from(formId, shown), [formId, shown]);
  return { formId, errors, shown, ...save };
}

/**
 * An editor's draft and the version it was read at. The draft starts as
 * `initial` (a new item) or, once `existing` has loaded, as `from(existing)`;
 * `reseed` replaces both with a fresh copy from the server (after a 412).
 */
export function useDraft<D, T>(
  initial: D | undefined,
  existing: T | undefined,
  from: (item: T) => { draft: D; version: number },
) {
  const [draft, setDraft] = useState<D | undefined>(initial);
  const [version, setVersion] = useState<number | null>(null);
  const update = useCallback(
    (change: Partial<D>) => setDraft((d) => (d === undefined ? d : { ...d, ...change })),
    [],
  );
  const reseed = (item: T | undefined): boolean => {
    if (item === undefined) return false;
    const next = from(item);
    setDraft(next.draft);
    setVersion(next.version);
    return true;
  };
  useEffect(() => {
    if (existing !== undefined && draft === undefined) {
      const next = from(existing);
      setDraft(next.draft);
      setVersion(next.version);
    }
  }, [existing, draft, from]);
  return { draft, setDraft, version, setVersion, update, reseed };
}

/** A page's title block: the heading (focused after navigation), its subtitle, and actions beside them. */
export function PageHeader({
  title,
  subtitle,
  children,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        <h1 className="page-title" tabIndex={-1}>
          {title}
        </h1>
        {subtitle === undefined ? null : <p className="page-subtitle">{subtitle}</p>}
      </div>
      {children}
    </div>
  );
}

/** "`id` · version n", the subtitle of an editor for an item that exists. */
export function IdVersion({ id, version }: { id: string; version: number }) {
  return (
    <>
      <span className="mono">{id}</span> · version {version}
    </>
  );
}

/**
 * A settings table: column headings, the rows, and below them a spinner
 * while the first load runs and `empty` when there are no items.
 */
export function AdminTable({
  label,
  columns,
  loading,
  items,
  loadingLabel,
  empty,
  children,
}: {
  label: string;
  /** Headings; `false` leaves a column out. */
  columns: readonly (string | { label: string; className: string } | false)[];
  loading: boolean;
  items: readonly unknown[] | undefined;
  loadingLabel: string;
  empty?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="table-card">
      <table className="admin-table" aria-label={label} aria-busy={loading}>
        <thead>
          <tr>
            {columns.map((c) =>
              c === false ? null : typeof c === 'string' ? (
                <th key={c} scope="col">
                  {c}
                </th>
              ) : (
                <th key={c.label} scope="col" className={c.className}>
                  {c.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
      {!items && loading ? (
        <div className="timeline-loading">
          <Spinner label={loadingLabel} />
        </div>
      ) : null}
      {items && items.length === 0 && empty ? <div className="empty-state">{empty}</div> : null}
    </div>
  );
}

/** The first cell of a settings row: the item's name as a link, its id (or `detail`) and an "inactive" pill. */
export function NameCell({
  to,
  name,
  detail,
  mono = true,
  inactive,
  children,
}: {
  to: string;
  name: ReactNode;
  detail: ReactNode;
  mono?: boolean;
  /** The pill's text for an item that is off ("Disabled", "Inactive"); nothing for one that is on. */
  inactive?: string | undefined;
  /** Anything else after the id (a state pill of its own). */
  children?: ReactNode;
}) {
  return (
    <td>
      <Link to={to} className="admin-name">
        {name}
      </Link>
      <span className="admin-id">
        <span className={mono ? 'mono muted small' : 'muted small'}>{detail}</span>
        {inactive ? <span className="pill pill-auto">{inactive}</span> : null}
        {children}
      </span>
    </td>
  );
}

/** A labelled checkbox with a line that says what it means. */
export function CheckboxField({
  label,
  errors,
  path,
  checked,
  onChange,
  hint,
  disabled,
}: {
  label: string;
  errors: FormErrors;
  path: string;
  checked: boolean;
  onChange(checked: boolean): void;
  hint?: ReactNode;
  disabled?: boolean;
}) {
  return (
    <div className="checkbox-field">
      <input
        {...errors.control(path)}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        disabled={disabled}
      />
      <label htmlFor={errors.id(path)}>{label}</label>
      {hint === undefined ? null : <span className="muted small">{hint}</span>}
    </div>
  );
}

/** A labelled select with its hint and the server's messages for `path`. */
export function SelectField<V extends string>({
  label,
  errors,
  path,
  value,
  onChange,
  options,
  placeholder,
  hint,
  disabled,
  message = true,
}: {
  label: string;
  errors: FormErrors;
  path: string;
  value: V;
  onChange(value: V): void;
  options: readonly { value: V; label: string }[];
  /** An empty first option ("Choose…"). */
  placeholder?: string;
  hint?: ReactNode;
  disabled?: boolean;
  /** Show the server's message for `path` under the control (off where an enclosing group shows it). */
  message?: boolean;
}) {
  const control = errors.control(path);
  const hintId = hint ? `${control.id}-hint` : undefined;
  const describedBy = [hintId, control['aria-describedby']].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={control.id}>{label}</label>
      <select
        {...control}
        aria-describedby={describedBy}
        value={value}
        onChange={(e) => onChange(e.target.value as V)}
        disabled={disabled}
      >
        {placeholder === undefined ? null : <option value="">{placeholder}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {message ? <FieldMessage errors={errors} path={path} /> : null}
    </div>
  );
}

/** The form's submit button and a Cancel link back to `cancelTo`. */
export function FormActions({
  saving,
  label,
  cancelTo,
}: {
  saving: boolean;
  label: string;
  cancelTo: string;
}) {
  return (
    <div className="form-actions">
      <SaveButton saving={saving} label={label} />
      <Link to={cancelTo} className="btn btn-secondary">
        Cancel
      </Link>
    </div>
  );
}

/** Options for a select from a label map, in its key order. */
export function optionsOf<V extends string>(labels: Record<V, string>): { value: V; label: string }[] {
  return (Object.keys(labels) as V[]).map((value) => ({ value, label: labels[value] }));
}

/**
 * A select of things to add to a list and its Add button, both off once
 * everything is in (`exhausted` says so in the select).
 */
export function AddPicker({
  id,
  label,
  value,
  onChange,
  options,
  exhausted,
  buttonLabel,
  onAdd,
  children,
}: {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  options: readonly { value: string; label: string }[];
  exhausted: string;
  buttonLabel: string;
  onAdd(): void;
  children?: ReactNode;
}) {
  const none = options.length === 0;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="add-row">
        <select id={id} value={value} onChange={(e) => onChange(e.target.value)} disabled={none}>
          {none ? <option value="">{exhausted}</option> : null}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <button type="button" className="btn btn-secondary btn-sm" onClick={onAdd} disabled={none}>
          {buttonLabel}
        </button>
      </div>
      {children}
    </div>
  );
}

/**
 * An editor's page: the way back, the heading, the banner for a refused
 * save (with a reload after a 412), then the form. The form is named by
 * `title`, or with `headingId` by a visually hidden heading of that id.
 */
export function EditorPage({
  back,
  backLabel,
  title,
  subtitle,
  form,
  labelOf,
  noun,
  onReload,
  reloading,
  onSubmit,
  headingId,
  notice,
  children,
}: {
  back: string;
  backLabel: string;
  title: string;
  subtitle: ReactNode;
  /** The editor's `useEditorForm()`: the problem shown and the field errors. */
  form: { shown: SaveProblem | undefined; errors: FormErrors };
  onSubmit(event: FormEvent): void;
  headingId?: string;
  /** Shown between the banner and the form (a list the form needs could not be loaded). */
  notice?: ReactNode;
  children: ReactNode;
} & Pick<ComponentProps<typeof SaveProblemBanner>, 'labelOf' | 'noun' | 'onReload' | 'reloading'>) {
  return (
    <div className="page admin-page">
      <BackTo to={back} label={backLabel} />
      <PageHeader title={title} subtitle={subtitle} />
      <SaveProblemBanner
        problem={form.shown}
        errors={form.errors}
        labelOf={labelOf}
        noun={noun}
        onReload={onReload}
        reloading={reloading}
      />
      {notice}
      {headingId ? (
        <form className="admin-form" onSubmit={onSubmit} noValidate aria-labelledby={headingId}>
          <h2 className="visually-hidden" id={headingId}>
            {title}
          </h2>
          {children}
        </form>
      ) : (
        <form className="admin-form" onSubmit={onSubmit} noValidate aria-label={title}>
          {children}
        </form>
      )}
    </div>
  );
}

/** A draft with a name (under `K`) and an id that follows it until edited. */
type NamedDraft<K extends string> = { id: string; idEdited: boolean } & Record<K, string>;

/**
 * The name of an item and, for a new one, its id, which follows the name
 * (through `slug`) until it is edited.
 */
export function NameAndId<K extends string>({
  errors,
  draft,
  nameKey,
  label = 'Name',
  isNew,
  update,
  slug = slugOf,
  idHint,
}: {
  errors: FormErrors;
  draft: NamedDraft<K>;
  /** The draft's key (and the form's path) of the name: "name", "label". */
  nameKey: K;
  label?: string;
  /** Whether the item is new: a stored item's id cannot change. */
  isNew: boolean;
  update(change: Partial<NamedDraft<K>>): void;
  slug?: (name: string) => string;
  idHint?: ReactNode;
}) {
  const named = (name: string, id?: string) =>
    (id === undefined ? { [nameKey]: name } : { [nameKey]: name, id }) as Partial<NamedDraft<K>>;
  return (
    <>
      <TextField
        label={label}
        errors={errors}
        path={nameKey}
        value={draft[nameKey]}
        onChange={(name) => update(isNew && !draft.idEdited ? named(name, slug(name)) : named(name))}
      />
      {isNew ? (
        <TextField
          label="ID"
          errors={errors}
          path="id"
          value={draft.id}
          onChange={(id) => update({ id, idEdited: true } as Partial<NamedDraft<K>>)}
          hint={idHint}
          spellCheck={false}
          mono
        />
      ) : null}
    </>
  );
}
