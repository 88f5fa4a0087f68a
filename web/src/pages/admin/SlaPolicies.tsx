/**
 * Admin: SLA policies. The list in evaluation order, and one form to create
 * or edit a policy: name, position, active, conditions, calendar, target
 * minutes per priority and escalation levels per target. Conditions the form
 * does not show (customer groups, a custom field) are kept as they are. The
 * server validates; its field errors show next to the fields. Saving sends
 * the version read in `If-Match`, so a concurrent edit is refused.
 */
import { type FormEvent, useEffect } from 'react';
import { api } from '../../api/client.js';
import type {
  Channel,
  EscalationAction,
  Priority,
  SlaConditions,
  SlaPolicy,
  SlaPolicyBody,
  SlaTargetKind,
  SlaTargetMinutes,
  VersionedCalendar,
  VersionedPolicy,
} from '../../api/types.js';
import { FieldMessage, type FormErrors, useFocusAfterRender } from '../../components/FormErrors.js';
import { type Directory, useDirectory } from '../../lib/directory.js';
import { CHANNEL_LABEL, PRIORITIES, PRIORITY_LABEL } from '../../lib/format.js';
import { useNow } from '../../lib/now.js';
import { adminPath, Link, NEW_ITEM, navigate } from '../../lib/router.js';
import { duration, forgetSlaPolicies, SLA_KIND_LABEL, SLA_KINDS } from '../../lib/sla.js';
import { useToast } from '../../lib/toast.js';
import {
  AdminTable,
  CheckboxField,
  CheckboxGroup,
  EditorFallback,
  EditorPage,
  FormActions,
  IdVersion,
  ifMatch,
  LoadProblem,
  NameCell,
  newIdProblems,
  PageHeader,
  Updated,
  useDraft,
  useEditorForm,
  useItems,
  usePageTitle,
} from './common.js';

type MinutesField = keyof SlaTargetMinutes;
const MINUTES_FIELD: Record<SlaTargetKind, MinutesField> = {
  first_response: 'firstResponseMinutes',
  next_response: 'nextResponseMinutes',
  resolution: 'resolutionMinutes',
};
const FIELD_KIND = Object.fromEntries(Object.entries(MINUTES_FIELD).map(([k, f]) => [f, k])) as Record<
  MinutesField,
  SlaTargetKind
>;

type ActionType = EscalationAction['type'];
const ACTION_LABEL: Record<ActionType, string> = {
  notify_assignee: 'Notify the assignee',
  notify_supervisor: 'Notify a supervisor',
  notify_team: 'Notify a team',
  set_team: 'Move to a team',
  set_priority: 'Change the priority',
  add_note: 'Add an internal note',
};
const ACTION_TYPES = Object.keys(ACTION_LABEL) as ActionType[];
const CHANNELS = Object.keys(CHANNEL_LABEL) as Channel[];
/** Highest priority first, as agents think of targets. */
const PRIORITY_ROWS = [...PRIORITIES].reverse();

const POLICIES_PATH = '/sla/policies';
const CALENDARS_PATH = '/business-hours';

export function SlaPoliciesPage({ id }: { id?: string | null }) {
  return id === undefined ? <PolicyList /> : <PolicyEditor key={id ?? NEW_ITEM} id={id} />;
}

function conditionsSummary(conditions: SlaConditions, directory: Directory): string {
  const parts: string[] = [];
  if (conditions.priorities) parts.push(conditions.priorities.map((p) => PRIORITY_LABEL[p]).join(' or '));
  if (conditions.departmentIds)
    parts.push(conditions.departmentIds.map((d) => directory.departmentName(d)).join(' or '));
  if (conditions.channels) parts.push(conditions.channels.map((c) => CHANNEL_LABEL[c]).join(' or '));
  if (conditions.tags) parts.push(`tagged ${conditions.tags.join(' or ')}`);
  if (conditions.customerGroupIds) parts.push(`customer group ${conditions.customerGroupIds.join(' or ')}`);
  if (conditions.customField) parts.push(`custom field ${conditions.customField.key}`);
  return parts.length ? parts.join('; ') : 'Every ticket';
}

function PolicyList() {
  const now = useNow();
  const directory = useDirectory();
  const policies = useItems<VersionedPolicy>(POLICIES_PATH);
  const calendars = useItems<VersionedCalendar>(CALENDARS_PATH);
  usePageTitle('SLA policies');
  const calendarName = (id: string | null) =>
    id === null ? '24/7' : (calendars.items?.find((c) => c.calendar.id === id)?.calendar.name ?? id);
  const items = policies.items;

  return (
    <div className="page admin-page">
      <PageHeader
        title="SLA policies"
        subtitle="A ticket gets the first active policy, in position order, whose conditions it meets."
      >
        <Link to={adminPath('sla-policies', null)} className="btn btn-primary btn-sm">
          New policy
        </Link>
      </PageHeader>
      {policies.error ? (
        <LoadProblem what="The policies" error={policies.error} onRetry={() => void policies.reload()} />
      ) : null}
      <AdminTable
        label="SLA policies"
        columns={[
          { label: 'Position', className: 'col-position' },
          'Policy',
          'Applies to',
          'Counts in',
          'Normal priority',
          'Last change',
        ]}
        loading={policies.loading}
        items={items}
        loadingLabel="Loading policies"
        empty={
          <>
            <p className="empty-title">No SLA policies yet</p>
            <p className="muted">Tickets run without SLA targets until a policy applies.</p>
          </>
        }
      >
        {items?.map(({ policy, version, updatedAt, updatedBy }) => {
          const normal = policy.targets.normal;
          return (
            <tr key={policy.id} className={policy.active ? undefined : 'is-inactive'}>
              <td className="col-position mono">{policy.position}</td>
              <NameCell
                to={adminPath('sla-policies', policy.id)}
                name={policy.name}
                detail={policy.id}
                inactive={policy.active ? undefined : 'Inactive'}
              />
              <td className="small">{conditionsSummary(policy.conditions, directory)}</td>
              <td className="small">{calendarName(policy.calendarId)}</td>
              <td className="small">
                {normal
                  ? SLA_KINDS.filter((k) => normal[MINUTES_FIELD[k]] !== undefined)
                      .map((k) => `${SLA_KIND_LABEL[k]} ${duration(normal[MINUTES_FIELD[k]] ?? 0)}`)
                      .join(' · ') || '—'
                  : '—'}
              </td>
              <td>
                <Updated version={version} at={updatedAt} by={updatedBy} now={now} />
              </td>
            </tr>
          );
        })}
      </AdminTable>
    </div>
  );
}

interface ActionDraft {
  key: number;
  type: ActionType;
  teamId: string;
  priority: Priority;
  body: string;
}

interface LevelDraft {
  key: number;
  atPercent: string;
  actions: ActionDraft[];
}

interface PolicyDraft {
  id: string;
  name: string;
  position: string;
  active: boolean;
  priorities: Priority[];
  departmentIds: string[];
  channels: Channel[];
  tags: string;
  /** Conditions this form does not edit, sent back unchanged. */
  otherConditions: Pick<SlaConditions, 'customerGroupIds' | 'customField'>;
  calendarId: string;
  targets: Record<Priority, Record<MinutesField, string>>;
  escalations: Record<SlaTargetKind, LevelDraft[]>;
}

let nextKey = 1;
const key = () => nextKey++;

function actionDraft(action?: EscalationAction): ActionDraft {
  return {
    key: key(),
    type: action?.type ?? 'notify_assignee',
    teamId: action && 'teamId' in action ? (action.teamId ?? '') : '',
    priority: action?.type === 'set_priority' ? action.priority : 'high',
    body: action?.type === 'add_note' ? action.body : '',
  };
}

function draftOf(policy: SlaPolicy | null, position: number): PolicyDraft {
  const minutes = (p: Priority) => {
    const t = policy?.targets[p];
    const text = (f: MinutesField) => (t?.[f] === undefined ? '' : String(t[f]));
    return {
      firstResponseMinutes: text('firstResponseMinutes'),
      nextResponseMinutes: text('nextResponseMinutes'),
      resolutionMinutes: text('resolutionMinutes'),
    };
  };
  const levels = (kind: SlaTargetKind): LevelDraft[] =>
    (policy?.escalations[kind] ?? []).map((l) => ({
      key: key(),
      atPercent: String(l.atPercent),
      actions: l.actions.map(actionDraft),
    }));
  const c = policy?.conditions ?? {};
  return {
    id: policy?.id ?? '',
    name: policy?.name ?? '',
    position: String(policy?.position ?? position),
    active: policy?.active ?? true,
    priorities: c.priorities ?? [],
    departmentIds: c.departmentIds ?? [],
    channels: c.channels ?? [],
    tags: (c.tags ?? []).join(', '),
    otherConditions: {
      ...(c.customerGroupIds ? { customerGroupIds: c.customerGroupIds } : {}),
      ...(c.customField ? { customField: c.customField } : {}),
    },
    calendarId: policy?.calendarId ?? '',
    targets: {
      low: minutes('low'),
      normal: minutes('normal'),
      high: minutes('high'),
      urgent: minutes('urgent'),
    },
    escalations: {
      first_response: levels('first_response'),
      next_response: levels('next_response'),
      resolution: levels('resolution'),
    },
  };
}

/** A number as typed; what is not one goes to the server as null, which names the field. */
function numberOf(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

function actionBody(a: ActionDraft): EscalationAction {
  switch (a.type) {
    case 'notify_assignee':
    case 'notify_supervisor':
      return { type: a.type };
    case 'notify_team':
      return a.teamId ? { type: a.type, teamId: a.teamId } : { type: a.type };
    case 'set_team':
      return { type: a.type, teamId: a.teamId };
    case 'set_priority':
      return { type: a.type, priority: a.priority };
    case 'add_note':
      return { type: a.type, body: a.body };
  }
}

function bodyOf(d: PolicyDraft): SlaPolicyBody {
  const conditions: SlaConditions = { ...d.otherConditions };
  if (d.priorities.length) conditions.priorities = PRIORITIES.filter((p) => d.priorities.includes(p));
  if (d.departmentIds.length) conditions.departmentIds = d.departmentIds;
  if (d.channels.length) conditions.channels = CHANNELS.filter((c) => d.channels.includes(c));
  const tags = d.tags
    .split(/[\s,]+/)
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  if (tags.length) conditions.tags = [...new Set(tags)];
  const targets: SlaPolicyBody['targets'] = {};
  for (const p of PRIORITIES) {
    const t: SlaTargetMinutes = {};
    for (const kind of SLA_KINDS) {
      const text = d.targets[p][MINUTES_FIELD[kind]];
      if (text.trim() !== '') t[MINUTES_FIELD[kind]] = numberOf(text);
    }
    if (Object.keys(t).length > 0) targets[p] = t;
  }
  const levels = (kind: SlaTargetKind) =>
    d.escalations[kind].map((l) => ({
      atPercent: numberOf(l.atPercent),
      actions: l.actions.map(actionBody),
    }));
  return {
    name: d.name,
    position: numberOf(d.position),
    active: d.active,
    conditions,
    calendarId: d.calendarId || null,
    targets,
    escalations: {
      first_response: levels('first_response'),
      next_response: levels('next_response'),
      resolution: levels('resolution'),
    },
  };
}

const CONDITION_LABEL: Record<string, string> = {
  priorities: 'Priorities',
  departmentIds: 'Departments',
  channels: 'Channels',
  tags: 'Tags',
  customerGroupIds: 'Customer groups',
  customField: 'Custom field',
};

const ACTION_FIELD_LABEL: Record<string, string> = {
  type: 'type',
  teamId: 'team',
  priority: 'priority',
  body: 'note',
};

/** A readable name for an error's path: "Normal: first response (minutes)". */
function labelOf(path: string): string {
  const [head, a, b, c, d, e] = path.split('.');
  if (head === 'id') return 'ID';
  if (head === 'name') return 'Name';
  if (head === 'position') return 'Position';
  if (head === 'active') return 'Active';
  if (head === 'calendarId') return 'Business hours';
  if (head === 'conditions') return a ? `Conditions: ${CONDITION_LABEL[a] ?? a}` : 'Conditions';
  if (head === 'targets') {
    const priority = PRIORITY_LABEL[a as Priority];
    const kind = FIELD_KIND[b as MinutesField];
    if (priority && kind) return minutesLabel(a as Priority, kind);
    return priority ? `Targets: ${priority}` : 'Targets';
  }
  if (head === 'escalations') {
    const kind = SLA_KIND_LABEL[a as SlaTargetKind];
    if (!kind) return 'Escalations';
    if (b === undefined) return `${kind} escalations`;
    const level = `${kind} level ${Number(b) + 1}`;
    if (c === 'atPercent') return `${level}: at %`;
    if (c === 'actions' && d !== undefined)
      return `${level}, action ${Number(d) + 1}${e ? `: ${ACTION_FIELD_LABEL[e] ?? e}` : ''}`;
    return level;
  }
  return path || 'Policy';
}

function minutesLabel(priority: Priority, kind: SlaTargetKind): string {
  return `${PRIORITY_LABEL[priority]}: ${SLA_KIND_LABEL[kind].toLowerCase()} (minutes)`;
}

const seedOf = (p: VersionedPolicy) => ({ draft: draftOf(p.policy, 0), version: p.version });

function PolicyEditor({ id }: { id: string | null }) {
  const notify = useToast();
  const directory = useDirectory();
  const policies = useItems<VersionedPolicy>(POLICIES_PATH);
  const calendars = useItems<VersionedCalendar>(CALENDARS_PATH);
  const existing = id === null ? undefined : policies.items?.find((p) => p.policy.id === id);
  const { draft, setDraft, version, update, reseed } = useDraft(undefined, existing, seedOf);
  const form = useEditorForm();
  const { formId, errors, saving, setProblem, run } = form;
  const focusLater = useFocusAfterRender();

  const title = id === null ? 'New SLA policy' : (existing?.policy.name ?? 'SLA policy');
  usePageTitle(title);

  // A new policy goes after the last one, once the policies have loaded.
  useEffect(() => {
    if (draft !== undefined || !policies.items || id !== null) return;
    const last = Math.max(0, ...policies.items.map((p) => p.policy.position));
    setDraft(draftOf(null, policies.items.length ? last + 10 : 10));
  }, [id, draft, policies.items, setDraft]);

  const reloadFromServer = async () => {
    if (reseed((await policies.reload())?.find((p) => p.policy.id === id))) setProblem(undefined);
  };

  if (!draft) {
    return (
      <EditorFallback
        back={adminPath('sla-policies')}
        backLabel="SLA policies"
        noun="policy"
        longNoun="SLA policy"
        id={id}
        error={policies.error}
        missing={Boolean(policies.items) && id !== null && !existing}
      />
    );
  }

  const setLevels = (kind: SlaTargetKind, levels: LevelDraft[]) =>
    setDraft((d) => (d ? { ...d, escalations: { ...d.escalations, [kind]: levels } } : d));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const policyId = id ?? draft.id.trim();
    if (id === null) {
      const problems = newIdProblems(
        policyId,
        'policy',
        (x) => policies.items?.some((p) => p.policy.id === x) ?? false,
      );
      if (problems.length > 0) {
        setProblem({ kind: 'error', message: 'The policy was not saved', details: problems });
        return;
      }
    }
    const saved = await run(async () => {
      const result = await api<VersionedPolicy>('PUT', `/sla/policies/${encodeURIComponent(policyId)}`, {
        body: bodyOf(draft),
        ...ifMatch(version),
      });
      forgetSlaPolicies();
      notify(`Saved “${result.policy.name}” (version ${result.version})`);
    });
    if (saved) navigate(adminPath('sla-policies'));
  };

  const calendarKnown = !draft.calendarId || calendars.items?.some((c) => c.calendar.id === draft.calendarId);
  const teams = directory.teams.filter((t) => t.active);
  const hasOtherConditions = Object.keys(draft.otherConditions).length > 0;

  return (
    <EditorPage
      back={adminPath('sla-policies')}
      backLabel="SLA policies"
      title={title}
      subtitle={
        existing ? (
          <IdVersion id={existing.policy.id} version={version ?? existing.version} />
        ) : (
          'Targets and escalations for the tickets that meet its conditions.'
        )
      }
      form={form}
      labelOf={labelOf}
      noun="policy"
      onReload={() => void reloadFromServer()}
      reloading={policies.loading}
      onSubmit={submit}
      headingId={`${formId}-heading`}
    >
      <section className="form-section">
        <div className="form-grid">
          <div className="field">
            <label htmlFor={errors.id('name')}>Name</label>
            <input
              {...errors.control('name')}
              value={draft.name}
              onChange={(e) => update({ name: e.target.value })}
              autoComplete="off"
              required
            />
            <FieldMessage errors={errors} path="name" />
          </div>
          {id === null ? (
            <div className="field">
              <label htmlFor={errors.id('id')}>ID</label>
              <input
                {...errors.control('id')}
                className="mono"
                value={draft.id}
                onChange={(e) => update({ id: e.target.value })}
                autoComplete="off"
                spellCheck={false}
                required
              />
              <FieldMessage errors={errors} path="id" />
            </div>
          ) : null}
          <div className="field field-narrow">
            <label htmlFor={errors.id('position')}>Position</label>
            <input
              {...errors.control('position')}
              type="number"
              min={0}
              step={1}
              inputMode="numeric"
              value={draft.position}
              onChange={(e) => update({ position: e.target.value })}
              aria-describedby={`${formId}-position-hint${errors.at('position').length ? ` ${errors.errorId('position')}` : ''}`}
            />
            <p className="field-hint" id={`${formId}-position-hint`}>
              Lower positions are tried first.
            </p>
            <FieldMessage errors={errors} path="position" />
          </div>
          <div className="field">
            <label htmlFor={errors.id('calendarId')}>Business hours</label>
            <select
              {...errors.control('calendarId')}
              value={draft.calendarId}
              onChange={(e) => update({ calendarId: e.target.value })}
            >
              <option value="">24/7 (calendar time)</option>
              {calendars.items?.map(({ calendar }) => (
                <option key={calendar.id} value={calendar.id}>
                  {calendar.name}
                </option>
              ))}
              {calendarKnown || !calendars.items ? null : (
                <option value={draft.calendarId}>{draft.calendarId} (missing)</option>
              )}
              {!calendars.items && draft.calendarId ? (
                <option value={draft.calendarId}>{draft.calendarId}</option>
              ) : null}
            </select>
            <FieldMessage errors={errors} path="calendarId" />
          </div>
        </div>
        <CheckboxField
          label="Active"
          errors={errors}
          path="active"
          checked={draft.active}
          onChange={(active) => update({ active })}
          hint="Inactive policies are skipped when matching tickets."
        />
      </section>

      <fieldset className="form-section" {...errors.group('conditions')}>
        <legend className="section-title">Conditions</legend>
        <p className="field-hint">
          Every condition you set must hold; within one, any of the chosen values will do. Set none to apply
          to every ticket.
        </p>
        <FieldMessage errors={errors} path="conditions" />
        <div className="condition-grid">
          <CheckboxGroup
            legend="Priorities"
            errors={errors}
            path="conditions.priorities"
            options={PRIORITY_ROWS.map((p) => ({ value: p, label: PRIORITY_LABEL[p] }))}
            selected={draft.priorities}
            onChange={(priorities) => update({ priorities: priorities as Priority[] })}
            none="Any priority"
          />
          <CheckboxGroup
            legend="Departments"
            errors={errors}
            path="conditions.departmentIds"
            options={[
              ...directory.departments.map((d) => ({ value: d.id, label: d.name })),
              ...draft.departmentIds
                .filter((d) => !directory.departments.some((x) => x.id === d))
                .map((d) => ({ value: d, label: d })),
            ]}
            selected={draft.departmentIds}
            onChange={(departmentIds) => update({ departmentIds })}
            none="Any department"
          />
          <CheckboxGroup
            legend="Channels"
            errors={errors}
            path="conditions.channels"
            options={CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABEL[c] }))}
            selected={draft.channels}
            onChange={(channels) => update({ channels: channels as Channel[] })}
            none="Any channel"
          />
          <div className="field">
            <label htmlFor={errors.id('conditions.tags')}>Tags</label>
            <input
              {...errors.control('conditions.tags', true)}
              value={draft.tags}
              onChange={(e) => update({ tags: e.target.value })}
              placeholder="e.g. vip, enterprise"
              aria-describedby={`${formId}-tags-hint${errors.at('conditions.tags', true).length ? ` ${errors.errorId('conditions.tags')}` : ''}`}
              autoComplete="off"
              spellCheck={false}
            />
            <p className="field-hint" id={`${formId}-tags-hint`}>
              Comma-separated; a ticket with any of them matches.
            </p>
            <FieldMessage errors={errors} path="conditions.tags" nested />
          </div>
        </div>
        {hasOtherConditions ? (
          <p className="muted small">
            Also kept as set through the API:{' '}
            {Object.keys(draft.otherConditions)
              .map((k) => CONDITION_LABEL[k] ?? k)
              .join(', ')}
            .
          </p>
        ) : null}
      </fieldset>

      <fieldset className="form-section" {...errors.group('targets')}>
        <legend className="section-title">Targets</legend>
        <p className="field-hint" id={`${formId}-targets-hint`}>
          Minutes of business time per priority; leave a field empty for no target.
        </p>
        <FieldMessage errors={errors} path="targets" />
        <table className="targets-table">
          <thead>
            <tr>
              <th scope="col">Priority</th>
              {SLA_KINDS.map((kind) => (
                <th key={kind} scope="col">
                  {SLA_KIND_LABEL[kind]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {PRIORITY_ROWS.map((priority) => (
              <tr key={priority}>
                <th scope="row">{PRIORITY_LABEL[priority]}</th>
                {SLA_KINDS.map((kind) => {
                  const field = MINUTES_FIELD[kind];
                  const path = `targets.${priority}.${field}`;
                  const value = draft.targets[priority][field];
                  const minutes = Number(value);
                  return (
                    <td key={kind}>
                      <input
                        {...errors.control(path)}
                        type="number"
                        min={1}
                        step={1}
                        inputMode="numeric"
                        className="minutes-input"
                        value={value}
                        onChange={(e) =>
                          setDraft((d) =>
                            d
                              ? {
                                  ...d,
                                  targets: {
                                    ...d.targets,
                                    [priority]: { ...d.targets[priority], [field]: e.target.value },
                                  },
                                }
                              : d,
                          )
                        }
                        aria-label={minutesLabel(priority, kind)}
                      />
                      {value.trim() && Number.isInteger(minutes) && minutes > 0 ? (
                        <span className="minutes-hint" aria-hidden="true">
                          {duration(minutes)}
                        </span>
                      ) : null}
                      <FieldMessage errors={errors} path={path} />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </fieldset>

      <fieldset className="form-section" {...errors.group('escalations')}>
        <legend className="section-title">Escalations</legend>
        <p className="field-hint">
          Each level fires once, when the given share of a target's time has passed (100 % = due).
        </p>
        <FieldMessage errors={errors} path="escalations" />
        {SLA_KINDS.map((kind) => (
          <EscalationEditor
            key={kind}
            kind={kind}
            levels={draft.escalations[kind]}
            onChange={(levels) => setLevels(kind, levels)}
            errors={errors}
            teams={teams}
            formId={formId}
            focusLater={focusLater}
          />
        ))}
      </fieldset>

      <FormActions saving={saving} label="Save policy" cancelTo={adminPath('sla-policies')} />
    </EditorPage>
  );
}

function EscalationEditor({
  kind,
  levels,
  onChange,
  errors,
  teams,
  formId,
  focusLater,
}: {
  kind: SlaTargetKind;
  levels: LevelDraft[];
  onChange(levels: LevelDraft[]): void;
  errors: FormErrors;
  teams: Directory['teams'];
  formId: string;
  focusLater(id: string): void;
}) {
  const base = `escalations.${kind}`;
  const kindLabel = SLA_KIND_LABEL[kind];
  const setLevel = (key: number, change: Partial<LevelDraft>) =>
    onChange(levels.map((l) => (l.key === key ? { ...l, ...change } : l)));
  const addId = `${formId}-add-level-${kind}`;

  return (
    <fieldset className="escalation-kind" {...errors.group(base)}>
      <legend className="subsection-title">{kindLabel}</legend>
      <FieldMessage errors={errors} path={base} />
      {levels.length === 0 ? <p className="muted small">No escalation levels.</p> : null}
      <ol className="level-list">
        {levels.map((level, i) => {
          const levelPath = `${base}.${i}`;
          const levelLabel = `${kindLabel} level ${i + 1}`;
          return (
            <li key={level.key} className="level">
              <div className="level-head">
                <label htmlFor={errors.id(`${levelPath}.atPercent`)} className="level-label">
                  Level {i + 1} at
                </label>
                <input
                  {...errors.control(`${levelPath}.atPercent`)}
                  type="number"
                  min={1}
                  step={1}
                  inputMode="numeric"
                  className="percent-input"
                  value={level.atPercent}
                  onChange={(e) => setLevel(level.key, { atPercent: e.target.value })}
                  aria-label={`${levelLabel}: at % of the target`}
                />
                <span aria-hidden="true">%</span>
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  onClick={() => {
                    onChange(levels.filter((l) => l.key !== level.key));
                    focusLater(addId);
                  }}
                  aria-label={`Remove ${levelLabel}`}
                >
                  Remove level
                </button>
              </div>
              <FieldMessage errors={errors} path={`${levelPath}.atPercent`} />
              <FieldMessage errors={errors} path={`${levelPath}.actions`} />
              <ul className="action-list" aria-label={`${levelLabel} actions`}>
                {level.actions.map((action, j) => (
                  <ActionRow
                    key={action.key}
                    path={`${levelPath}.actions.${j}`}
                    label={`${levelLabel}, action ${j + 1}`}
                    action={action}
                    errors={errors}
                    teams={teams}
                    onChange={(next) =>
                      setLevel(level.key, {
                        actions: level.actions.map((a) => (a.key === action.key ? next : a)),
                      })
                    }
                    onRemove={() => {
                      setLevel(level.key, { actions: level.actions.filter((a) => a.key !== action.key) });
                      focusLater(`${formId}-add-action-${level.key}`);
                    }}
                  />
                ))}
              </ul>
              <button
                type="button"
                id={`${formId}-add-action-${level.key}`}
                className="link-button"
                onClick={() => {
                  setLevel(level.key, { actions: [...level.actions, actionDraft()] });
                  focusLater(errors.id(`${levelPath}.actions.${level.actions.length}.type`));
                }}
                aria-label={`Add an action to ${levelLabel}`}
              >
                + Add action
              </button>
            </li>
          );
        })}
      </ol>
      <button
        type="button"
        id={addId}
        className="btn btn-secondary btn-sm"
        onClick={() => {
          const highest = Math.max(0, ...levels.map((l) => Number(l.atPercent) || 0));
          onChange([
            ...levels,
            { key: key(), atPercent: String(highest ? highest + 25 : 75), actions: [actionDraft()] },
          ]);
          focusLater(errors.id(`${base}.${levels.length}.atPercent`));
        }}
      >
        Add a {kindLabel.toLowerCase()} level
      </button>
    </fieldset>
  );
}

function ActionRow({
  path,
  label,
  action,
  errors,
  teams,
  onChange,
  onRemove,
}: {
  path: string;
  label: string;
  action: ActionDraft;
  errors: FormErrors;
  teams: Directory['teams'];
  onChange(action: ActionDraft): void;
  onRemove(): void;
}) {
  const teamMissing = action.teamId !== '' && !teams.some((t) => t.id === action.teamId);
  return (
    <li className="action-row">
      <div className="action-inputs">
        <select
          {...errors.control(`${path}.type`)}
          value={action.type}
          onChange={(e) => onChange({ ...action, type: e.target.value as ActionType })}
          aria-label={`${label}: type`}
        >
          {ACTION_TYPES.map((t) => (
            <option key={t} value={t}>
              {ACTION_LABEL[t]}
            </option>
          ))}
        </select>
        {action.type === 'notify_team' || action.type === 'set_team' ? (
          <select
            {...errors.control(`${path}.teamId`)}
            value={action.teamId}
            onChange={(e) => onChange({ ...action, teamId: e.target.value })}
            aria-label={`${label}: team`}
          >
            <option value="">{action.type === 'notify_team' ? "The ticket's team" : 'Choose a team…'}</option>
            {teams.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
            {teamMissing ? <option value={action.teamId}>{action.teamId}</option> : null}
          </select>
        ) : null}
        {action.type === 'set_priority' ? (
          <select
            {...errors.control(`${path}.priority`)}
            value={action.priority}
            onChange={(e) => onChange({ ...action, priority: e.target.value as Priority })}
            aria-label={`${label}: priority`}
          >
            {PRIORITY_ROWS.map((p) => (
              <option key={p} value={p}>
                {PRIORITY_LABEL[p]}
              </option>
            ))}
          </select>
        ) : null}
        {action.type === 'add_note' ? (
          <input
            {...errors.control(`${path}.body`)}
            value={action.body}
            onChange={(e) => onChange({ ...action, body: e.target.value })}
            aria-label={`${label}: note`}
            placeholder="Internal note text"
            autoComplete="off"
          />
        ) : null}
        <button
          type="button"
          className="btn btn-ghost btn-sm icon-button"
          onClick={onRemove}
          aria-label={`Remove ${label}`}
        >
          ×
        </button>
      </div>
      <FieldMessage errors={errors} path={path} />
      {(['type', 'teamId', 'priority', 'body'] as const).map((field) => (
        <FieldMessage key={field} errors={errors} path={`${path}.${field}`} />
      ))}
    </li>
  );
}
