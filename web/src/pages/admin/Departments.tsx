/**
 * Admin: departments. The list; a form to create one (name, id following the
 * name); and per department its settings (rename, enable or disable, support
 * addresses, its own acknowledgement mail) and its field layout: which of the
 * desk's custom fields apply there, in which order (up/down buttons, so the
 * keyboard can do it), and which are required. Each part saves on its own,
 * with the version read in If-Match; the server's field errors show next to
 * the control they name.
 */
import { type FormEvent, type KeyboardEvent, useEffect, useId, useMemo, useState } from 'react';
import { ApiError, api, get, isAbort, messageOf } from '../../api/client.js';
import type {
  Department,
  FieldDefinition,
  FieldError,
  FieldLayout,
  LayoutBody,
  Team,
} from '../../api/types.js';
import { Spinner } from '../../components/Feedback.js';
import {
  FieldMessage,
  FormErrors,
  SaveProblemBanner,
  useFocusAfterRender,
  useSave,
} from '../../components/FormErrors.js';
import { useDirectory } from '../../lib/directory.js';
import { forgetFieldSetup, optionsFor } from '../../lib/fields.js';
import { useNow } from '../../lib/now.js';
import { adminPath, Link, navigate } from '../../lib/router.js';
import { useToast } from '../../lib/toast.js';
import {
  AddPicker,
  AdminTable,
  BackTo,
  CheckboxField,
  conflictOn,
  EditorFallback,
  EditorPage,
  FormActions,
  ifMatch,
  LoadProblem,
  moveItem,
  NameAndId,
  NameCell,
  newIdProblems,
  PageHeader,
  SaveButton,
  TextField,
  Updated,
  useEditorForm,
  useItems,
  usePageTitle,
} from './common.js';
import { FIELD_TYPE_NAME, isPicklist, useFields } from './desk-data.js';
import './admin-desk.css';

const LIST_PATH = '/departments';
/** The API's id shape for departments (and teams, agents). */
const ID_PATTERN = { test: /^[A-Za-z0-9_-]{1,64}$/, message: 'Letters, digits, _ and - only, up to 64' };

export function DepartmentsPage({ id }: { id?: string | null }) {
  if (id === undefined) return <DepartmentList />;
  if (id === null) return <NewDepartment />;
  return <DepartmentEditor key={id} id={id} />;
}

function DepartmentList() {
  const now = useNow();
  const departments = useItems<Department>(LIST_PATH);
  const teams = useItems<Team>('/teams');
  usePageTitle('Departments');
  const items = departments.items;

  return (
    <div className="page admin-page">
      <PageHeader
        title="Departments"
        subtitle="Where tickets belong: each has its teams, support addresses and the fields its tickets carry."
      >
        <Link to={adminPath('departments', null)} className="btn btn-primary btn-sm">
          New department
        </Link>
      </PageHeader>
      {departments.error ? (
        <LoadProblem
          what="The departments"
          error={departments.error}
          onRetry={() => void departments.reload()}
        />
      ) : null}
      <AdminTable
        label="Departments"
        columns={['Department', 'Support addresses', 'Teams', 'Last change']}
        loading={departments.loading}
        items={items}
        loadingLabel="Loading departments"
        empty={<p className="empty-title">No departments yet</p>}
      >
        {items?.map((d) => {
          const own = teams.items?.filter((t) => t.departmentId === d.id) ?? [];
          return (
            <tr key={d.id} className={d.active ? undefined : 'is-inactive'}>
              <NameCell
                to={adminPath('departments', d.id)}
                name={d.name}
                detail={d.id}
                inactive={d.active ? undefined : 'Disabled'}
              />
              <td className="small mono">
                {(d.supportAddresses ?? []).length ? (d.supportAddresses ?? []).join(', ') : '—'}
              </td>
              <td className="small">{own.length ? own.map((t) => t.name).join(', ') : '—'}</td>
              <td>
                <Updated version={d.version} at={d.updatedAt} by={d.updatedBy ?? 'seed'} now={now} />
              </td>
            </tr>
          );
        })}
      </AdminTable>
    </div>
  );
}

function departmentLabel(path: string): string {
  const [head, index] = path.split('.');
  if (head === 'id') return 'ID';
  if (head === 'name') return 'Name';
  if (head === 'active') return 'Enabled';
  if (head === 'supportAddresses')
    return index === undefined ? 'Support addresses' : `Address ${Number(index) + 1}`;
  if (head === 'autoAcknowledgement') {
    const part = path.split('.')[1];
    return part === 'subject'
      ? 'Acknowledgement subject'
      : part === 'body'
        ? 'Acknowledgement text'
        : 'Acknowledgement';
  }
  return path || 'Department';
}

function NewDepartment() {
  const notify = useToast();
  const directory = useDirectory();
  const departments = useItems<Department>(LIST_PATH);
  const [draft, setDraft] = useState({ name: '', id: '', idEdited: false });
  const update = (change: Partial<typeof draft>) => setDraft((d) => ({ ...d, ...change }));
  const form = useEditorForm();
  const { errors, saving, setProblem, run } = form;
  const title = 'New department';
  usePageTitle(title);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const name = draft.name;
    const departmentId = draft.id.trim();
    const problems = [
      ...(name.trim() ? [] : [{ field: 'name', message: 'Give the department a name' }]),
      ...newIdProblems(
        departmentId,
        'department',
        (x) => departments.items?.some((d) => d.id === x) ?? false,
        ID_PATTERN,
      ),
    ];
    if (problems.length > 0) {
      setProblem({ kind: 'error', message: 'The department was not created', details: problems });
      return;
    }
    const saved = await run(async () => {
      const created = await conflictOn(
        'id',
        api<Department>('POST', LIST_PATH, { body: { name: name.trim(), id: departmentId } }),
      );
      notify(`Created “${created.name}”`);
      void directory.reload();
    });
    if (saved) navigate(adminPath('departments', departmentId));
  };

  return (
    <EditorPage
      back={adminPath('departments')}
      backLabel="Departments"
      title={title}
      subtitle="Teams, support addresses and its field layout come next."
      form={form}
      labelOf={departmentLabel}
      noun="department"
      onReload={() => void departments.reload()}
      reloading={departments.loading}
      onSubmit={submit}
    >
      <section className="form-section">
        <div className="form-grid">
          <NameAndId
            errors={errors}
            draft={draft}
            nameKey="name"
            isNew
            update={update}
            idHint="Used in addresses and by the API; it cannot change later."
          />
        </div>
      </section>
      <FormActions saving={saving} label="Create department" cancelTo={adminPath('departments')} />
    </EditorPage>
  );
}

interface SettingsDraft {
  name: string;
  active: boolean;
  addresses: string[];
  newAddress: string;
  ownAck: boolean;
  ackEnabled: boolean;
  ackSubject: string;
  ackBody: string;
}

function settingsDraft(d: Department): SettingsDraft {
  return {
    name: d.name,
    active: d.active,
    addresses: [...(d.supportAddresses ?? [])],
    newAddress: '',
    ownAck: d.autoAcknowledgement !== undefined,
    ackEnabled: d.autoAcknowledgement?.enabled ?? true,
    ackSubject: d.autoAcknowledgement?.subject ?? '',
    ackBody: d.autoAcknowledgement?.body ?? '',
  };
}

/** Only what changed: PATCH leaves the rest as it is. */
function settingsPatch(d: Department, draft: SettingsDraft): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  if (draft.name.trim() !== d.name) patch.name = draft.name.trim();
  if (draft.active !== d.active) patch.active = draft.active;
  const before = d.supportAddresses ?? [];
  if (draft.addresses.length !== before.length || draft.addresses.some((a, i) => a !== before[i])) {
    patch.supportAddresses = draft.addresses;
  }
  if (draft.ownAck) {
    const ack = { enabled: draft.ackEnabled, subject: draft.ackSubject, body: draft.ackBody };
    const was = d.autoAcknowledgement;
    if (!was || was.enabled !== ack.enabled || was.subject !== ack.subject || was.body !== ack.body) {
      patch.autoAcknowledgement = ack;
    }
  } else if (d.autoAcknowledgement !== undefined) {
    // Back to the desk's default.
    patch.autoAcknowledgement = null;
  }
  return patch;
}

function DepartmentEditor({ id }: { id: string }) {
  const departments = useItems<Department>(LIST_PATH);
  const existing = departments.items?.find((d) => d.id === id);
  usePageTitle(existing?.name ?? 'Department');

  if (!existing) {
    return (
      <EditorFallback
        back={adminPath('departments')}
        backLabel="Departments"
        noun="department"
        id={id}
        error={departments.error}
        missing={Boolean(departments.items)}
      />
    );
  }
  return (
    <div className="page admin-page">
      <BackTo to={adminPath('departments')} label="Departments" />
      <PageHeader
        title={existing.name}
        subtitle={
          <>
            <span className="mono">{existing.id}</span> · version {existing.version}
            {existing.active ? null : ' · disabled'}
          </>
        }
      />
      <DepartmentSettings department={existing} reload={departments.reload} loading={departments.loading} />
      <LayoutEditor departmentId={existing.id} departmentName={existing.name} />
    </div>
  );
}

function DepartmentSettings({
  department,
  reload,
  loading,
}: {
  department: Department;
  reload(): Promise<Department[] | undefined>;
  loading: boolean;
}) {
  const formId = useId();
  const notify = useToast();
  const directory = useDirectory();
  const [draft, setDraft] = useState(() => settingsDraft(department));
  const [version, setVersion] = useState(department.version);
  const { saving, problem, setProblem, run } = useSave();
  const [local, setLocal] = useState<FieldError[]>([]);
  const focusLater = useFocusAfterRender();
  const errors = useMemo(() => FormErrors.from(formId, problem, local), [formId, problem, local]);
  const update = (change: Partial<SettingsDraft>) => setDraft((d) => ({ ...d, ...change }));

  const addAddress = () => {
    const address = draft.newAddress.trim().toLowerCase();
    if (!address) return;
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) {
      setLocal([{ field: 'newAddress', message: 'Write a whole email address, e.g. books@example.com' }]);
      return;
    }
    if (draft.addresses.includes(address)) {
      setLocal([{ field: 'newAddress', message: 'This address is in the list already' }]);
      return;
    }
    setLocal([]);
    update({ addresses: [...draft.addresses, address], newAddress: '' });
    focusLater(errors.id('newAddress'));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setLocal([]);
    const patch = settingsPatch(department, draft);
    if (Object.keys(patch).length === 0) {
      notify('Nothing to save', 'info');
      return;
    }
    const saved = await run(async () => {
      // A 409: an address belongs to another department or to the deployment's configuration.
      const result = await conflictOn(
        'supportAddresses',
        api<Department>('PATCH', `/departments/${encodeURIComponent(department.id)}`, {
          body: patch,
          ...ifMatch(version),
        }),
      );
      setVersion(result.version);
      notify(`Saved “${result.name}” (version ${result.version})`);
    });
    if (saved) {
      const fresh = await reload();
      const found = fresh?.find((d) => d.id === department.id);
      if (found) setDraft(settingsDraft(found));
      void directory.reload();
    }
  };

  const reloadFromServer = async () => {
    const fresh = await reload();
    const found = fresh?.find((d) => d.id === department.id);
    if (found) {
      setDraft(settingsDraft(found));
      setVersion(found.version);
      setProblem(undefined);
    }
  };

  const onAddressKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      addAddress();
    }
  };

  return (
    <>
      <SaveProblemBanner
        problem={problem}
        errors={errors}
        labelOf={departmentLabel}
        noun="department"
        onReload={() => void reloadFromServer()}
        reloading={loading}
      />
      <form className="admin-form" onSubmit={submit} noValidate aria-labelledby={`${formId}-title`}>
        <section className="form-section">
          <h2 className="section-title" id={`${formId}-title`}>
            Settings
          </h2>
          <div className="form-grid">
            <TextField
              label="Name"
              errors={errors}
              path="name"
              value={draft.name}
              onChange={(name) => update({ name })}
            />
          </div>
          <CheckboxField
            label="Enabled"
            errors={errors}
            path="active"
            checked={draft.active}
            onChange={(active) => update({ active })}
            hint="A disabled department takes no new tickets; its tickets stay."
          />
          <FieldMessage errors={errors} path="active" />
        </section>

        <fieldset className="form-section" {...errors.group('supportAddresses')}>
          <legend className="section-title">Support addresses</legend>
          <p className="field-hint">Mail to these addresses opens tickets in this department.</p>
          <FieldMessage errors={errors} path="supportAddresses" />
          {draft.addresses.length === 0 ? <p className="muted small">No addresses of its own.</p> : null}
          <ul className="address-list" aria-label="Support addresses">
            {draft.addresses.map((address, i) => (
              <li key={address}>
                {/* The id is the row's: an error link focuses its Remove button. */}
                <div className="address-row" id={errors.id(`supportAddresses.${i}`)}>
                  <span className="address">{address}</span>
                  <button
                    type="button"
                    className="btn btn-ghost btn-sm"
                    aria-label={`Remove ${address}`}
                    onClick={() => {
                      update({ addresses: draft.addresses.filter((a) => a !== address) });
                      focusLater(errors.id('newAddress'));
                    }}
                  >
                    Remove
                  </button>
                </div>
                <FieldMessage errors={errors} path={`supportAddresses.${i}`} />
              </li>
            ))}
          </ul>
          <div className="field">
            <label htmlFor={errors.id('newAddress')}>New support address</label>
            <div className="add-row">
              <input
                {...errors.control('newAddress')}
                type="email"
                value={draft.newAddress}
                onChange={(e) => update({ newAddress: e.target.value })}
                onKeyDown={onAddressKey}
                placeholder="e.g. books@example.com"
                autoComplete="off"
                spellCheck={false}
              />
              <button type="button" className="btn btn-secondary btn-sm" onClick={addAddress}>
                Add address
              </button>
            </div>
            <FieldMessage errors={errors} path="newAddress" />
          </div>
        </fieldset>

        <fieldset className="form-section" {...errors.group('autoAcknowledgement')}>
          <legend className="section-title">Acknowledgement</legend>
          <FieldMessage errors={errors} path="autoAcknowledgement" />
          {draft.ownAck ? (
            <>
              <p className="field-hint">
                Mailed to the customer when a ticket opens here. Placeholders: {'{{ticket.number}}'},{' '}
                {'{{ticket.subject}}'}, {'{{customer.name}}'}, {'{{desk.name}}'}.
              </p>
              <CheckboxField
                label="Send an acknowledgement"
                errors={errors}
                path="autoAcknowledgement.enabled"
                checked={draft.ackEnabled}
                onChange={(ackEnabled) => update({ ackEnabled })}
              />
              <TextField
                label="Subject"
                errors={errors}
                path="autoAcknowledgement.subject"
                value={draft.ackSubject}
                onChange={(ackSubject) => update({ ackSubject })}
              />
              <TextField
                label="Text"
                errors={errors}
                path="autoAcknowledgement.body"
                value={draft.ackBody}
                onChange={(ackBody) => update({ ackBody })}
                multiline
                rows={6}
              />
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                onClick={() => {
                  update({ ownAck: false });
                  focusLater(`${formId}-own-ack`);
                }}
              >
                Use the desk's default instead
              </button>
            </>
          ) : (
            <>
              <p className="muted small">This department sends the desk's default acknowledgement.</p>
              <button
                type="button"
                id={`${formId}-own-ack`}
                className="btn btn-secondary btn-sm"
                onClick={() => {
                  update({ ownAck: true });
                  focusLater(errors.id('autoAcknowledgement.subject'));
                }}
              >
                Write its own acknowledgement
              </button>
            </>
          )}
        </fieldset>

        <div className="form-actions">
          <SaveButton saving={saving} label="Save department" />
        </div>
      </form>
    </>
  );
}

// ---------------------------------------------------------------------------
// The department's field layout

interface LayoutRow {
  fieldId: string;
  required: boolean;
}

interface LoadedLayout {
  rows: LayoutRow[];
  /** 0: the department has no layout yet (If-Match "0" keeps it that way until ours is saved). */
  version: number;
}

async function loadLayout(departmentId: string, signal?: AbortSignal): Promise<LoadedLayout> {
  try {
    const layout = await get<FieldLayout>(`/departments/${encodeURIComponent(departmentId)}/layout`, signal);
    return {
      rows: layout.fields.map((f) => ({ fieldId: f.fieldId, required: f.required })),
      version: layout.version,
    };
  } catch (error) {
    // No layout saved yet (a server that answers 404 rather than an empty layout).
    if (error instanceof ApiError && error.status === 404) return { rows: [], version: 0 };
    throw error;
  }
}

/**
 * The server names layout problems by position (`fields.2.fieldId`) or by
 * field id; both land on the row they are about.
 */
function layoutErrors(formId: string, problem: ReturnType<typeof useSave>['problem'], rows: LayoutRow[]) {
  const base = FormErrors.from(formId, problem);
  const list = base.list.map((e) => {
    const index = rows.findIndex(
      (r) =>
        e.field === r.fieldId ||
        e.field === `fields.${r.fieldId}` ||
        (e.field === '' && e.message.includes(r.fieldId)),
    );
    return index >= 0 ? { field: `fields.${index}`, message: e.message } : e;
  });
  return new FormErrors(formId, list);
}

function layoutLabel(rows: LayoutRow[], fields: FieldDefinition[] | undefined) {
  return (path: string) => {
    const [head, index] = path.split('.');
    if (head !== 'fields') return path || 'Layout';
    if (index === undefined) return 'Fields';
    const row = rows[Number(index)];
    const field = fields?.find((f) => f.id === row?.fieldId);
    return field ? field.label : `Field ${Number(index) + 1}`;
  };
}

function LayoutEditor({ departmentId, departmentName }: { departmentId: string; departmentName: string }) {
  const formId = useId();
  const notify = useToast();
  const { fields, error: fieldsError, reload: reloadFields } = useFields();
  const [loaded, setLoaded] = useState<LoadedLayout>();
  const [loadError, setLoadError] = useState<string>();
  const [rows, setRows] = useState<LayoutRow[]>([]);
  const [adding, setAdding] = useState('');
  const { saving, problem, setProblem, run } = useSave();
  const focusLater = useFocusAfterRender();
  const errors = useMemo(() => layoutErrors(formId, problem, rows), [formId, problem, rows]);
  const [reloading, setReloading] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    loadLayout(departmentId, controller.signal).then(
      (layout) => {
        setLoaded(layout);
        setRows(layout.rows);
      },
      (error: unknown) => {
        if (!isAbort(error)) setLoadError(messageOf(error));
      },
    );
    return () => controller.abort();
  }, [departmentId]);

  const byId = useMemo(() => new Map((fields ?? []).map((f) => [f.id, f])), [fields]);
  const addable = (fields ?? []).filter((f) => f.active && !rows.some((r) => r.fieldId === f.id));
  const rowId = (fieldId: string, part: string) => `${formId}-row-${fieldId}-${part}`;

  const reloadFromServer = async () => {
    setReloading(true);
    try {
      const layout = await loadLayout(departmentId);
      setLoaded(layout);
      setRows(layout.rows);
      setProblem(undefined);
      await reloadFields();
    } catch (error) {
      setLoadError(messageOf(error));
    } finally {
      setReloading(false);
    }
  };

  const move = (index: number, delta: number) => {
    const row = rows[index];
    if (!row) return;
    const next = moveItem(rows, index, delta);
    setRows(next);
    const to = index + delta;
    // Keep the keyboard on the button pressed, or on its twin once the row reaches an end.
    const edge = delta < 0 ? to === 0 : to === next.length - 1;
    focusLater(rowId(row.fieldId, delta < 0 ? (edge ? 'down' : 'up') : edge ? 'up' : 'down'));
  };

  const add = () => {
    const fieldId = adding || addable[0]?.id;
    if (!fieldId) return;
    setRows((r) => [...r, { fieldId, required: false }]);
    setAdding('');
    focusLater(rowId(fieldId, 'required'));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!loaded) return;
    const body: LayoutBody = { fields: rows.map((r) => ({ fieldId: r.fieldId, required: r.required })) };
    await run(async () => {
      const result = await api<FieldLayout>(
        'PUT',
        `/departments/${encodeURIComponent(departmentId)}/layout`,
        {
          body,
          ifMatch: `"${loaded.version}"`,
        },
      );
      setLoaded({ rows: result.fields.map((f) => ({ ...f })), version: result.version });
      // Ticket pages load layouts again.
      forgetFieldSetup();
      notify(`Saved the layout of “${departmentName}” (version ${result.version})`);
    });
  };

  const title = `Fields of ${departmentName}`;

  return (
    <section className="admin-section-gap" aria-labelledby={`${formId}-title`}>
      <SaveProblemBanner
        problem={problem}
        errors={errors}
        labelOf={layoutLabel(rows, fields)}
        noun="layout"
        onReload={() => void reloadFromServer()}
        reloading={reloading}
      />
      <form className="admin-form" onSubmit={submit} noValidate aria-labelledby={`${formId}-title`}>
        <fieldset className="form-section" {...errors.group('fields')}>
          <legend className="section-title" id={`${formId}-title`}>
            {title}
          </legend>
          <p className="field-hint">
            The custom fields tickets of this department show, in this order. Required fields must be filled
            in before a ticket is solved.
          </p>
          {fieldsError ? (
            <LoadProblem what="The custom fields" error={fieldsError} onRetry={() => void reloadFields()} />
          ) : null}
          {loadError ? (
            <LoadProblem what="The layout" error={loadError} onRetry={() => void reloadFromServer()} />
          ) : null}
          <FieldMessage errors={errors} path="fields" />
          {!loaded && !loadError ? <Spinner label="Loading the layout" /> : null}
          {loaded && rows.length === 0 ? (
            <p className="muted small">No custom fields in this department yet.</p>
          ) : null}
          <ol className="layout-list" aria-label={title}>
            {rows.map((row, i) => {
              const field = byId.get(row.fieldId);
              const label = field?.label ?? row.fieldId;
              const noValues =
                field && isPicklist(field.type) && optionsFor(field, departmentId).length === 0;
              return (
                <li key={row.fieldId} className="layout-row" id={errors.id(`fields.${i}`)}>
                  <div className="layout-row-main">
                    <span className="layout-position" aria-hidden="true">
                      {i + 1}
                    </span>
                    <span>
                      <span className="layout-field-name">{label}</span>{' '}
                      <span className="muted small">
                        {field ? FIELD_TYPE_NAME[field.type] : 'unknown field'} ·{' '}
                        <span className="mono">{row.fieldId}</span>
                        {field && !field.active ? ' · inactive' : ''}
                      </span>
                    </span>
                    <span className="checkbox-option">
                      <input
                        id={rowId(row.fieldId, 'required')}
                        type="checkbox"
                        checked={row.required}
                        onChange={(e) =>
                          setRows((all) =>
                            all.map((r) =>
                              r.fieldId === row.fieldId ? { ...r, required: e.target.checked } : r,
                            ),
                          )
                        }
                        aria-label={`${label} is required`}
                      />
                      <label htmlFor={rowId(row.fieldId, 'required')} aria-hidden="true">
                        Required
                      </label>
                    </span>
                    <span className="row-buttons">
                      <button
                        type="button"
                        id={rowId(row.fieldId, 'up')}
                        className="btn btn-ghost btn-sm icon-button"
                        aria-label={`Move ${label} up`}
                        disabled={i === 0}
                        onClick={() => move(i, -1)}
                      >
                        ↑
                      </button>
                      <button
                        type="button"
                        id={rowId(row.fieldId, 'down')}
                        className="btn btn-ghost btn-sm icon-button"
                        aria-label={`Move ${label} down`}
                        disabled={i === rows.length - 1}
                        onClick={() => move(i, 1)}
                      >
                        ↓
                      </button>
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        aria-label={`Remove ${label}`}
                        onClick={() => {
                          setRows((all) => all.filter((r) => r.fieldId !== row.fieldId));
                          focusLater(`${formId}-add`);
                        }}
                      >
                        Remove
                      </button>
                    </span>
                  </div>
                  {noValues ? (
                    <p className="row-warning">
                      This picklist has no values for {departmentName}: give it some on the field's page.
                    </p>
                  ) : null}
                  <FieldMessage errors={errors} path={`fields.${i}`} nested />
                </li>
              );
            })}
          </ol>
          <AddPicker
            id={`${formId}-add`}
            label="Field to add"
            value={adding}
            onChange={setAdding}
            options={addable.map((field) => ({
              value: field.id,
              label: fieldChoiceLabel(field, departmentId),
            }))}
            exhausted="Every active field is in the layout"
            buttonLabel="Add field"
            onAdd={add}
          >
            <p className="field-hint">
              New fields are made on the <Link to={adminPath('fields')}>Custom fields</Link> page.
            </p>
          </AddPicker>
        </fieldset>
        <div className="form-actions">
          <SaveButton saving={saving} label="Save layout" />
        </div>
      </form>
    </section>
  );
}

function fieldChoiceLabel(field: FieldDefinition, departmentId: string): string {
  const type = FIELD_TYPE_NAME[field.type];
  if (isPicklist(field.type) && optionsFor(field, departmentId).length === 0) {
    return `${field.label} (${type}; no values here yet)`;
  }
  return `${field.label} (${type})`;
}
