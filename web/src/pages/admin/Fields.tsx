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
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import type { Department, FieldBody, FieldDefinition, FieldError, FieldType } from '../../api/types.js';
import { FieldMessage, useFocusAfterRender } from '../../components/FormErrors.js';
import { forgetFieldSetup } from '../../lib/fields.js';
import { adminPath, Link, navigate } from '../../lib/router.js';
import { useToast } from '../../lib/toast.js';
import {
  AddPicker,
  AdminTable,
  CheckboxField,
  conflictOn,
  EditorFallback,
  EditorPage,
  FormActions,
  ifMatch,
  LoadProblem,
  NameAndId,
  NameCell,
  newIdProblems,
  PageHeader,
  SelectField,
  slugOf,
  splitList,
  TextField,
  useDraft,
  useEditorForm,
  useItems,
  usePageTitle,
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
  usePageTitle('Custom fields');
  const departmentName = (id: string) => departments.items?.find((d) => d.id === id)?.name ?? id;

  return (
    <div className="page admin-page">
      <PageHeader
        title="Custom fields"
        subtitle="Fields tickets can carry; each department's layout picks the ones that apply there."
      >
        <Link to={adminPath('fields', null)} className="btn btn-primary btn-sm">
          New field
        </Link>
      </PageHeader>
      {error ? <LoadProblem what="The custom fields" error={error} onRetry={() => void reload()} /> : null}
      <AdminTable
        label="Custom fields"
        columns={['Field', 'Type', 'Values', 'Version']}
        loading={loading}
        items={fields}
        loadingLabel="Loading custom fields"
        empty={
          <>
            <p className="empty-title">No custom fields yet</p>
            <p className="muted">Create one, then add it to a department's layout.</p>
          </>
        }
      >
        {fields?.map((field) => (
          <tr key={field.id} className={field.active ? undefined : 'is-inactive'}>
            <NameCell
              to={adminPath('fields', field.id)}
              name={field.label}
              detail={field.id}
              inactive={field.active ? undefined : 'Inactive'}
            />
            <td>{FIELD_TYPE_NAME[field.type]}</td>
            <td className="small">{valuesSummary(field, departmentName)}</td>
            <td className="mono">{field.version}</td>
          </tr>
        ))}
      </AdminTable>
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

const seedOf = (field: FieldDefinition) => ({ draft: draftOf(field), version: field.version });

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

/** A field id made from a label: lower_snake_case, starting with a letter. */
const fieldIdOf = (label: string) => slugOf(label, '_', 64).replace(/^[^a-z]+/, '');

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
  const notify = useToast();
  const { fields, error: loadError, loading, reload } = useFields();
  const departments = useItems<Department>('/departments');
  const existing = id === null ? undefined : fields?.find((f) => f.id === id);
  const { draft, version, update, reseed } = useDraft(
    id === null ? draftOf(null) : undefined,
    existing,
    seedOf,
  );
  const [addDepartment, setAddDepartment] = useState('');
  const form = useEditorForm();
  const { formId, errors, saving, setProblem, run } = form;
  const focusLater = useFocusAfterRender();

  const title = id === null ? 'New custom field' : (existing?.label ?? 'Custom field');
  usePageTitle(title);

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
  const withoutList = (departments.items ?? []).filter(
    (d) => !draft.byDepartment.some((x) => x.departmentId === d.id),
  );

  const reloadFromServer = async () => {
    if (reseed((await reload())?.find((f) => f.id === id))) setProblem(undefined);
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
      // A new field is sent with If-Match "0": one created meanwhile with this id answers 412, not an overwrite.
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
    <EditorPage
      back={adminPath('fields')}
      backLabel="Custom fields"
      title={title}
      subtitle={
        existing ? (
          <>
            <span className="mono">{existing.id}</span> · {FIELD_TYPE_NAME[existing.type]} · version{' '}
            {version ?? existing.version}
          </>
        ) : (
          'Defined once for the desk; layouts decide where it applies.'
        )
      }
      form={form}
      labelOf={labelOf}
      noun="field"
      onReload={() => void reloadFromServer()}
      reloading={loading}
      onSubmit={submit}
    >
      <section className="form-section">
        <div className="form-grid">
          <NameAndId
            errors={errors}
            draft={draft}
            nameKey="label"
            label="Label"
            isNew={id === null}
            update={update}
            slug={fieldIdOf}
            idHint="lower_snake_case; rules and the API name the field by it. It cannot change later."
          />
          <SelectField<FieldType>
            label="Type"
            errors={errors}
            path="type"
            value={draft.type}
            onChange={(type) => update({ type })}
            options={FIELD_TYPES.map((t) => ({ value: t, label: FIELD_TYPE_NAME[t] }))}
            disabled={id !== null}
            hint={id !== null ? 'Fixed once the field exists: tickets hold values of this type.' : undefined}
          />
        </div>
        <CheckboxField
          label="Active"
          errors={errors}
          path="active"
          checked={draft.active}
          onChange={(active) => update({ active })}
          hint="An inactive field keeps its values on tickets, but nobody can set it or add it to a layout."
        />
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
          <AddPicker
            id={`${formId}-add-department`}
            label="Department with values of its own"
            value={addDepartment}
            onChange={setAddDepartment}
            options={withoutList.map((d) => ({ value: d.id, label: d.name }))}
            exhausted="Every department has its own list"
            buttonLabel="Add values for this department"
            onAdd={addList}
          />
        </fieldset>
      ) : null}

      <FormActions saving={saving} label="Save field" cancelTo={adminPath('fields')} />
    </EditorPage>
  );
}
