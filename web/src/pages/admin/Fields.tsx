/**
 * Admin: custom fields. The list, and one form to create or edit a field:
 * label, id (following the label until edited), type (fixed once the field
 * exists: stored values depend on it), the type's settings (longest text,
 * number bounds, picklist values), and for picklists a list of values per
 * department that replaces the desk-wide list there ("Sub-category" offers
 * other values in Books than in Electronics). Unchecking "Active"
 * deactivates a field: stored values stay, nobody can set it any more.
 * Saving sends the version read in If-Match; the server's field errors show
 * next to the controls they name.
 */
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import { api } from '../../api/client.js';
import type { Department, FieldBody, FieldDefinition, FieldError, FieldType } from '../../api/types.js';
import { Spinner } from '../../components/Feedback.js';
import {
  FieldMessage,
  FormErrors,
  SaveProblemBanner,
  useFocusAfterRender,
  useSave,
} from '../../components/FormErrors.js';
import { forgetFieldSetup } from '../../lib/fields.js';
import { adminPath, Link, navigate } from '../../lib/router.js';
import { setPageTitle } from '../../lib/title.js';
import { useToast } from '../../lib/toast.js';
import {
  BackTo,
  conflictOn,
  EditorFallback,
  ifMatch,
  LoadProblem,
  newIdProblems,
  SaveButton,
  slugOf,
  splitList,
  TextField,
  useItems,
} from './common.js';
import { FIELD_TYPE_NAME, FIELD_TYPES, isPicklist, useFields } from './desk-data.js';
import './admin-desk.css';

/** The server's field id shape (fields/model.ts `FIELD_ID_PATTERN`). */
const FIELD_ID = {
  test: /^[a-z][a-z0-9_]{0,63}$/,
  message: 'A letter, then lower-case letters, digits or _, up to 64 characters',
};

export function FieldsPage({ id }: { id?: string | null }) {
  return id === undefined ? <FieldList /> : <FieldEditor key={id ?? 'new'} id={id} />;
}

function valuesSummary(field: FieldDefinition, departmentName: (id: string) => string): string {
  if (!isPicklist(field.type)) {
    if (field.type === 'number' && (field.min !== undefined || field.max !== undefined)) {
      return `${field.min ?? '…'} to ${field.max ?? '…'}`;
    }
    if (field.type === 'text' && field.maxLength !== undefined) return `up to ${field.maxLength} characters`;
    return '—';
  }
  const parts: string[] = [];
  if (field.options) parts.push(`${field.options.length} for every department`);
  for (const [dept, values] of Object.entries(field.optionsByDepartment ?? {})) {
    parts.push(`${departmentName(dept)}: ${values.join(', ')}`);
  }
  return parts.join(' · ');
}

function FieldList() {
  const { fields, error, loading, reload } = useFields();
  const departments = useItems<Department>('/departments');
  useEffect(() => setPageTitle('Custom fields'), []);
  const departmentName = (id: string) => departments.items?.find((d) => d.id === id)?.name ?? id;

  return (
    <div className="page admin-page">
      <div className="page-header">
        <div>
          <h1 className="page-title" tabIndex={-1}>
            Custom fields
          </h1>
          <p className="page-subtitle">
            Fields tickets can carry; each department's layout picks the ones that apply there.
          </p>
        </div>
        <Link to={adminPath('fields', null)} className="btn btn-primary btn-sm">
          New field
        </Link>
      </div>
      {error ? <LoadProblem what="The custom fields" error={error} onRetry={() => void reload()} /> : null}
      <div className="table-card">
        <table className="admin-table" aria-label="Custom fields" aria-busy={loading}>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Type</th>
              <th scope="col">Values</th>
              <th scope="col">Version</th>
            </tr>
          </thead>
          <tbody>
            {fields?.map((field) => (
              <tr key={field.id} className={field.active ? undefined : 'is-inactive'}>
                <td>
                  <Link to={adminPath('fields', field.id)} className="admin-name">
                    {field.label}
                  </Link>
                  <span className="admin-id">
                    <span className="mono muted small">{field.id}</span>
                    {field.active ? null : <span className="pill pill-auto">Inactive</span>}
                  </span>
                </td>
                <td>{FIELD_TYPE_NAME[field.type]}</td>
                <td className="small">{valuesSummary(field, departmentName)}</td>
                <td className="mono">{field.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {!fields && loading ? (
          <div className="timeline-loading">
            <Spinner label="Loading custom fields" />
          </div>
        ) : null}
        {fields && fields.length === 0 ? (
          <div className="empty-state">
            <p className="empty-title">No custom fields yet</p>
            <p className="muted">Create one, then add it to a department's layout.</p>
          </div>
        ) : null}
      </div>
    </div>
  );
}

interface DepartmentValues {
  departmentId: string;
  text: string;
}

interface FieldDraft {
  id: string;
  idEdited: boolean;
  label: string;
  type: FieldType;
  active: boolean;
  options: string;
  byDepartment: DepartmentValues[];
  min: string;
  max: string;
  maxLength: string;
}

function draftOf(field: FieldDefinition | null): FieldDraft {
  return {
    id: field?.id ?? '',
    idEdited: false,
    label: field?.label ?? '',
    type: field?.type ?? 'text',
    active: field?.active ?? true,
    options: (field?.options ?? []).join('\n'),
    byDepartment: Object.entries(field?.optionsByDepartment ?? {}).map(([departmentId, values]) => ({
      departmentId,
      text: values.join('\n'),
    })),
    min: field?.min === undefined ? '' : String(field.min),
    max: field?.max === undefined ? '' : String(field.max),
    maxLength: field?.maxLength === undefined ? '' : String(field.maxLength),
  };
}

/** A number as typed; what is not one goes to the server as NaN → null, which the server names. */
const numberOf = (text: string) => Number(text.trim());

function bodyOf(d: FieldDraft): FieldBody {
  const body: FieldBody = { label: d.label.trim(), type: d.type, active: d.active };
  if (isPicklist(d.type)) {
    const options = splitList(d.options, /\n/);
    if (options.length > 0) body.options = options;
    if (d.byDepartment.length > 0) {
      body.optionsByDepartment = Object.fromEntries(
        d.byDepartment.map((x) => [x.departmentId, splitList(x.text, /\n/)]),
      );
    }
  }
  if (d.type === 'number') {
    if (d.min.trim()) body.min = numberOf(d.min);
    if (d.max.trim()) body.max = numberOf(d.max);
  }
  if (d.type === 'text' && d.maxLength.trim()) body.maxLength = numberOf(d.maxLength);
  return body;
}

function labelFor(departmentName: (id: string) => string) {
  return (path: string): string => {
    const [head, a, b] = path.split('.');
    if (head === 'id') return 'ID';
    if (head === 'label') return 'Label';
    if (head === 'type') return 'Type';
    if (head === 'active') return 'Active';
    if (head === 'min') return 'Lowest value';
    if (head === 'max') return 'Highest value';
    if (head === 'maxLength') return 'Longest text';
    if (head === 'options') return a === undefined ? 'Values' : `Values, line ${Number(a) + 1}`;
    if (head === 'optionsByDepartment') {
      if (a === undefined) return 'Values per department';
      return `Values in ${departmentName(a)}${b === undefined ? '' : `, line ${Number(b) + 1}`}`;
    }
    return path || 'Field';
  };
}

function FieldEditor({ id }: { id: string | null }) {
  const formId = useId();
  const notify = useToast();
  const { fields, error: loadError, loading, reload } = useFields();
  const departments = useItems<Department>('/departments');
  const existing = id === null ? undefined : fields?.find((f) => f.id === id);
  const [draft, setDraft] = useState<FieldDraft | undefined>(() => (id === null ? draftOf(null) : undefined));
  const [version, setVersion] = useState<number | null>(null);
  const [addDepartment, setAddDepartment] = useState('');
  const { saving, problem, setProblem, run } = useSave();
  const focusLater = useFocusAfterRender();
  const errors = useMemo(() => FormErrors.from(formId, problem), [formId, problem]);

  const title = id === null ? 'New custom field' : (existing?.label ?? 'Custom field');
  useEffect(() => setPageTitle(title), [title]);

  useEffect(() => {
    if (existing && draft === undefined) {
      setDraft(draftOf(existing));
      setVersion(existing.version);
    }
  }, [existing, draft]);

  if (!draft) {
    return (
      <EditorFallback
        back={adminPath('fields')}
        backLabel="Custom fields"
        noun="custom field"
        id={id}
        error={loadError}
        missing={Boolean(fields) && !existing}
      />
    );
  }

  const departmentName = (d: string) => departments.items?.find((x) => x.id === d)?.name ?? d;
  const labelOf = labelFor(departmentName);
  const update = (change: Partial<FieldDraft>) => setDraft((d) => (d ? { ...d, ...change } : d));
  const withoutList = (departments.items ?? []).filter(
    (d) => !draft.byDepartment.some((x) => x.departmentId === d.id),
  );

  const reloadFromServer = async () => {
    const fresh = await reload();
    const found = fresh?.find((f) => f.id === id);
    if (found) {
      setDraft(draftOf(found));
      setVersion(found.version);
      setProblem(undefined);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const fieldId = id ?? draft.id.trim();
    if (id === null) {
      const problems: FieldError[] = newIdProblems(
        fieldId,
        'field',
        (x) => fields?.some((f) => f.id === x) ?? false,
        FIELD_ID,
      );
      if (problems.length > 0) {
        setProblem({ kind: 'error', message: 'The field was not saved', details: problems });
        return;
      }
    }
    const saved = await run(async () => {
      // Without If-Match, a 409 means a field with this id was created meanwhile.
      const field = await conflictOn(
        'id',
        api<FieldDefinition>('PUT', `/fields/${encodeURIComponent(fieldId)}`, {
          body: bodyOf(draft),
          ...ifMatch(version),
        }),
      );
      // Ticket pages load the fields again.
      forgetFieldSetup();
      notify(`Saved “${field.label}” (version ${field.version})`);
    });
    if (saved) navigate(adminPath('fields'));
  };

  const addList = () => {
    const departmentId = addDepartment || withoutList[0]?.id;
    if (!departmentId) return;
    update({ byDepartment: [...draft.byDepartment, { departmentId, text: '' }] });
    setAddDepartment('');
    focusLater(errors.id(`optionsByDepartment.${departmentId}`));
  };

  return (
    <div className="page admin-page">
      <BackTo to={adminPath('fields')} label="Custom fields" />
      <div className="page-header">
        <div>
          <h1 className="page-title" tabIndex={-1}>
            {title}
          </h1>
          <p className="page-subtitle">
            {existing ? (
              <>
                <span className="mono">{existing.id}</span> · {FIELD_TYPE_NAME[existing.type]} · version{' '}
                {version ?? existing.version}
              </>
            ) : (
              'Defined once for the desk; layouts decide where it applies.'
            )}
          </p>
        </div>
      </div>

      <SaveProblemBanner
        problem={problem}
        errors={errors}
        labelOf={labelOf}
        noun="field"
        onReload={() => void reloadFromServer()}
        reloading={loading}
      />

      <form className="admin-form" onSubmit={submit} noValidate aria-label={title}>
        <section className="form-section">
          <div className="form-grid">
            <TextField
              label="Label"
              errors={errors}
              path="label"
              value={draft.label}
              onChange={(label) =>
                update(
                  id === null && !draft.idEdited
                    ? { label, id: slugOf(label, '_', 64).replace(/^[^a-z]+/, '') }
                    : { label },
                )
              }
            />
            {id === null ? (
              <TextField
                label="ID"
                errors={errors}
                path="id"
                value={draft.id}
                onChange={(value) => update({ id: value, idEdited: true })}
                hint="lower_snake_case; rules and the API name the field by it. It cannot change later."
                spellCheck={false}
                mono
              />
            ) : null}
            <div className="field">
              <label htmlFor={errors.id('type')}>Type</label>
              <select
                {...errors.control('type')}
                value={draft.type}
                onChange={(e) => update({ type: e.target.value as FieldType })}
                disabled={id !== null}
                aria-describedby={
                  id !== null ? `${formId}-type-hint` : errors.control('type')['aria-describedby']
                }
              >
                {FIELD_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {FIELD_TYPE_NAME[t]}
                  </option>
                ))}
              </select>
              {id !== null ? (
                <p className="field-hint" id={`${formId}-type-hint`}>
                  Fixed once the field exists: tickets hold values of this type.
                </p>
              ) : null}
              <FieldMessage errors={errors} path="type" />
            </div>
          </div>
          <div className="checkbox-field">
            <input
              {...errors.control('active')}
              type="checkbox"
              checked={draft.active}
              onChange={(e) => update({ active: e.target.checked })}
            />
            <label htmlFor={errors.id('active')}>Active</label>
            <span className="muted small">
              An inactive field keeps its values on tickets, but nobody can set it or add it to a layout.
            </span>
          </div>
          <FieldMessage errors={errors} path="active" />
        </section>

        {draft.type === 'text' ? (
          <section className="form-section" aria-label="Text settings">
            <div className="form-grid">
              <TextField
                label="Longest text (characters)"
                errors={errors}
                path="maxLength"
                value={draft.maxLength}
                onChange={(maxLength) => update({ maxLength })}
                type="number"
                min={1}
                step={1}
                inputMode="numeric"
                hint="Empty: up to 2,000."
              />
            </div>
          </section>
        ) : null}

        {draft.type === 'number' ? (
          <section className="form-section" aria-label="Number settings">
            <div className="form-grid">
              <TextField
                label="Lowest value"
                errors={errors}
                path="min"
                value={draft.min}
                onChange={(min) => update({ min })}
                type="number"
                step="any"
                hint="Empty: no lower bound."
              />
              <TextField
                label="Highest value"
                errors={errors}
                path="max"
                value={draft.max}
                onChange={(max) => update({ max })}
                type="number"
                step="any"
                hint="Empty: no upper bound."
              />
            </div>
          </section>
        ) : null}

        {isPicklist(draft.type) ? (
          <fieldset className="form-section" {...errors.group('optionsByDepartment')}>
            <legend className="section-title">Values</legend>
            <TextField
              label="Values for every department (one a line)"
              errors={errors}
              path="options"
              value={draft.options}
              onChange={(options) => update({ options })}
              multiline
              rows={5}
              nested
              hint="Departments with a list of their own below offer theirs instead."
            />
            <FieldMessage errors={errors} path="optionsByDepartment" />
            <ul className="option-lists" aria-label="Values per department">
              {draft.byDepartment.map((list) => {
                const name = departmentName(list.departmentId);
                const path = `optionsByDepartment.${list.departmentId}`;
                return (
                  <li key={list.departmentId} className="option-list">
                    <div className="option-list-head">
                      <label htmlFor={errors.id(path)} className="subsection-title">
                        Values in {name} (one a line)
                      </label>
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        aria-label={`Remove the values of ${name}`}
                        onClick={() => {
                          update({
                            byDepartment: draft.byDepartment.filter(
                              (x) => x.departmentId !== list.departmentId,
                            ),
                          });
                          focusLater(`${formId}-add-department`);
                        }}
                      >
                        Remove
                      </button>
                    </div>
                    <textarea
                      {...errors.control(path, true)}
                      value={list.text}
                      rows={4}
                      onChange={(e) =>
                        update({
                          byDepartment: draft.byDepartment.map((x) =>
                            x.departmentId === list.departmentId ? { ...x, text: e.target.value } : x,
                          ),
                        })
                      }
                      spellCheck={false}
                    />
                    <FieldMessage errors={errors} path={path} nested />
                  </li>
                );
              })}
            </ul>
            <div className="field">
              <label htmlFor={`${formId}-add-department`}>Department with values of its own</label>
              <div className="add-row">
                <select
                  id={`${formId}-add-department`}
                  value={addDepartment}
                  onChange={(e) => setAddDepartment(e.target.value)}
                  disabled={withoutList.length === 0}
                >
                  {withoutList.length === 0 ? (
                    <option value="">Every department has its own list</option>
                  ) : null}
                  {withoutList.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.name}
                    </option>
                  ))}
                </select>
                <button
                  type="button"
                  className="btn btn-secondary btn-sm"
                  onClick={addList}
                  disabled={withoutList.length === 0}
                >
                  Add values for this department
                </button>
              </div>
            </div>
          </fieldset>
        ) : null}

        <div className="form-actions">
          <SaveButton saving={saving} label="Save field" />
          <Link to={adminPath('fields')} className="btn btn-secondary">
            Cancel
          </Link>
        </div>
      </form>
    </div>
  );
}
