/**
 * Admin: workflow rules and routing rules. Each has a list in evaluation
 * order (position, then id) and one form to create or edit a rule: name,
 * position, active, and condition rows in an "all" and an "any" group; a
 * workflow rule adds its trigger and action rows, a routing rule its target
 * (department and/or team) and the few actions routing may take (priority,
 * tags). Saving sends the version read in If-Match; the server's messages
 * land on the row they name.
 */
import { type FormEvent, useEffect, useMemo } from 'react';
import { api } from '../../api/client.js';
import type {
  RoutingRuleBody,
  RuleTrigger,
  StoredRoutingRule,
  StoredWorkflowRule,
  WorkflowRuleBody,
} from '../../api/types.js';
import { Spinner } from '../../components/Feedback.js';
import { FieldMessage, useFocusAfterRender } from '../../components/FormErrors.js';
import { useNow } from '../../lib/now.js';
import { type AdminSection, adminPath, Link, navigate } from '../../lib/router.js';
import { useToast } from '../../lib/toast.js';
import {
  AdminTable,
  CheckboxField,
  capitalise,
  EditorFallback,
  EditorPage,
  FormActions,
  IdVersion,
  ifMatch,
  LoadProblem,
  NameAndId,
  NameCell,
  newIdProblems,
  PageHeader,
  SelectField,
  TextField,
  Updated,
  useDraft,
  useEditorForm,
  useItems,
  usePageTitle,
} from './common.js';
import { type DeskLists, useDeskLists, useFields } from './desk-data.js';
import {
  ACTION_LABEL,
  type ActionDraft,
  ActionRows,
  actionBody,
  actionDraft,
  actionText,
  type ConditionDraft,
  ConditionRows,
  conditionDraft,
  conditionsBody,
  conditionText,
  type RuleLists,
  withNamedPaths,
} from './RuleRows.js';
import './admin-desk.css';

export const TRIGGER_LABEL: Record<RuleTrigger, string> = {
  ticket_created: 'A ticket is created',
  ticket_updated: 'A ticket is updated',
  customer_replied: 'The customer writes',
  agent_replied: 'An agent replies',
  time_based: 'Time passes (hourly check)',
};
const TRIGGERS = Object.keys(TRIGGER_LABEL) as RuleTrigger[];
const ROUTING_ACTIONS = ['set_priority', 'add_tags'] as const;

const WORKFLOW_PATH = '/workflow-rules';
const ROUTING_PATH = '/routing-rules';

export function WorkflowRulesPage({ id }: { id?: string | null }) {
  return id === undefined ? (
    <RuleList kind="workflow" />
  ) : (
    <RuleEditor key={id ?? 'new'} kind="workflow" id={id} />
  );
}

export function RoutingRulesPage({ id }: { id?: string | null }) {
  return id === undefined ? (
    <RuleList kind="routing" />
  ) : (
    <RuleEditor key={id ?? 'new'} kind="routing" id={id} />
  );
}

type Kind = 'workflow' | 'routing';

/** A rule of either kind, as the list and the form use it. */
interface AnyRule {
  id: string;
  name: string;
  active: boolean;
  position: number;
  version: number;
  conditions: StoredWorkflowRule['rule']['conditions'];
  actions: StoredWorkflowRule['rule']['actions'];
  trigger?: RuleTrigger;
  target?: StoredRoutingRule['rule']['target'];
}

interface Stored {
  rule: AnyRule;
  updatedAt: string;
  updatedBy: string;
}

const KIND = {
  workflow: {
    path: WORKFLOW_PATH,
    section: 'workflow-rules' as AdminSection,
    title: 'Workflow rules',
    noun: 'workflow rule',
    subtitle:
      'When something happens to a ticket, every active rule of that trigger whose conditions hold acts, in position order.',
  },
  routing: {
    path: ROUTING_PATH,
    section: 'routing-rules' as AdminSection,
    title: 'Routing rules',
    noun: 'routing rule',
    subtitle: 'A new ticket goes where the first active matching rule, in position order, sends it.',
  },
} as const;

function useLists(): { lists: RuleLists; desk: DeskLists; fieldsLoaded: boolean } {
  const desk = useDeskLists();
  const { fields } = useFields();
  const lists = useMemo<RuleLists>(
    () => ({
      departments: desk.departments,
      teams: desk.teams,
      agents: desk.agents,
      fields: fields ?? [],
    }),
    [desk.departments, desk.teams, desk.agents, fields],
  );
  return { lists, desk, fieldsLoaded: Boolean(fields) };
}

function targetText(target: AnyRule['target'], lists: RuleLists): string {
  if (!target) return '—';
  const parts: string[] = [];
  if (target.departmentId)
    parts.push(lists.departments.find((d) => d.id === target.departmentId)?.name ?? target.departmentId);
  if (target.teamId) parts.push(lists.teams.find((t) => t.id === target.teamId)?.name ?? target.teamId);
  return parts.join(' → ');
}

function ConditionSummary({ rule, lists }: { rule: AnyRule; lists: RuleLists }) {
  const { all, any } = rule.conditions;
  if (all.length === 0 && any.length === 0) return <span className="muted small">Every ticket</span>;
  return (
    <ul className="summary-list">
      {all.map((c, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no id; the list is read-only
        <li key={`all-${i}`}>{conditionText(c, lists)}</li>
      ))}
      {any.length > 0 ? <li>any of: {any.map((c) => conditionText(c, lists)).join('; ')}</li> : null}
    </ul>
  );
}

function RuleList({ kind }: { kind: Kind }) {
  const now = useNow();
  const spec = KIND[kind];
  const rules = useItems<Stored>(spec.path);
  const { lists } = useLists();
  usePageTitle(spec.title);
  const items = rules.items;

  return (
    <div className="page admin-page">
      <PageHeader title={spec.title} subtitle={spec.subtitle}>
        <Link to={adminPath(spec.section, null)} className="btn btn-primary btn-sm">
          New rule
        </Link>
      </PageHeader>
      <nav className="admin-tabs" aria-label="Rules">
        <Link to={adminPath('workflow-rules')} aria-current={kind === 'workflow' ? 'page' : undefined}>
          Workflow rules
        </Link>
        <Link to={adminPath('routing-rules')} aria-current={kind === 'routing' ? 'page' : undefined}>
          Routing rules
        </Link>
      </nav>
      {rules.error ? (
        <LoadProblem what="The rules" error={rules.error} onRetry={() => void rules.reload()} />
      ) : null}
      <AdminTable
        label={spec.title}
        columns={[
          { label: 'Position', className: 'col-position' },
          'Rule',
          kind === 'workflow' && 'When',
          'If',
          kind === 'workflow' ? 'Then' : 'Sends to',
          'Last change',
        ]}
        loading={rules.loading}
        items={items}
        loadingLabel="Loading rules"
        empty={<p className="empty-title">No {spec.noun}s yet</p>}
      >
        {items?.map(({ rule, updatedAt, updatedBy }) => (
          <tr key={rule.id} className={rule.active ? undefined : 'is-inactive'}>
            <td className="col-position mono">{rule.position}</td>
            <NameCell to={adminPath(spec.section, rule.id)} name={rule.name} detail={rule.id}>
              <span className={`pill ${rule.active ? 'pill-reply' : 'pill-auto'}`}>
                {rule.active ? 'Active' : 'Inactive'}
              </span>
            </NameCell>
            {kind === 'workflow' ? (
              <td className="small">{rule.trigger ? TRIGGER_LABEL[rule.trigger] : '—'}</td>
            ) : null}
            <td className="small">
              <ConditionSummary rule={rule} lists={lists} />
            </td>
            <td className="small">
              {kind === 'routing' ? <div>{targetText(rule.target, lists)}</div> : null}
              {rule.actions.length > 0 ? (
                <ul className="summary-list">
                  {rule.actions.map((a, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: actions have no id; the list is read-only
                    <li key={i}>{actionText(a, lists)}</li>
                  ))}
                </ul>
              ) : null}
            </td>
            <td>
              <Updated version={rule.version} at={updatedAt} by={updatedBy} now={now} />
            </td>
          </tr>
        ))}
      </AdminTable>
    </div>
  );
}

interface RuleDraft {
  id: string;
  idEdited: boolean;
  name: string;
  position: string;
  active: boolean;
  trigger: RuleTrigger;
  all: ConditionDraft[];
  any: ConditionDraft[];
  actions: ActionDraft[];
  departmentId: string;
  teamId: string;
}

function draftOf(rule: AnyRule | null, kind: Kind, position: number): RuleDraft {
  return {
    id: rule?.id ?? '',
    idEdited: false,
    name: rule?.name ?? '',
    position: String(rule?.position ?? position),
    active: rule?.active ?? true,
    trigger: rule?.trigger ?? 'ticket_created',
    all: (rule?.conditions.all ?? []).map(conditionDraft),
    any: (rule?.conditions.any ?? []).map(conditionDraft),
    actions: rule ? rule.actions.map((a) => actionDraft(a)) : kind === 'workflow' ? [actionDraft()] : [],
    departmentId: rule?.target?.departmentId ?? '',
    teamId: rule?.target?.teamId ?? '',
  };
}

const seedWorkflow = (s: Stored) => ({ draft: draftOf(s.rule, 'workflow', 0), version: s.rule.version });
const seedRouting = (s: Stored) => ({ draft: draftOf(s.rule, 'routing', 0), version: s.rule.version });

/** A number as typed; what is not one goes to the server as null, which names the field. */
const numberOf = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

function workflowBody(d: RuleDraft, lists: RuleLists): WorkflowRuleBody {
  return {
    name: d.name,
    active: d.active,
    position: numberOf(d.position),
    trigger: d.trigger,
    conditions: conditionsBody(d, lists),
    actions: d.actions.map((a) => actionBody(a, lists)),
  };
}

function routingBody(d: RuleDraft, lists: RuleLists): RoutingRuleBody {
  return {
    name: d.name,
    active: d.active,
    position: numberOf(d.position),
    conditions: conditionsBody(d, lists),
    target: {
      ...(d.departmentId ? { departmentId: d.departmentId } : {}),
      ...(d.teamId ? { teamId: d.teamId } : {}),
    },
    actions: d.actions.map((a) => actionBody(a, lists)) as RoutingRuleBody['actions'],
  };
}

const ACTION_PART: Record<string, string> = {
  type: 'type',
  priority: 'priority',
  status: 'status',
  departmentId: 'department',
  teamId: 'team',
  assigneeId: 'assignee',
  fieldId: 'field',
  value: 'value',
  tags: 'tags',
  body: 'text',
  to: 'recipient',
  template: 'message',
  url: 'URL',
  bodyTemplate: 'body',
};

function labelOf(path: string): string {
  const [head, a, b, c] = path.split('.');
  if (head === 'id') return 'ID';
  if (head === 'name') return 'Name';
  if (head === 'position') return 'Position';
  if (head === 'active') return 'Active';
  if (head === 'trigger') return 'When';
  if (head === 'target') return a === 'teamId' ? 'Team' : a === 'departmentId' ? 'Department' : 'Sends to';
  if (head === 'conditions') {
    if (a !== 'all' && a !== 'any') return 'Conditions';
    const group = a === 'all' ? 'All' : 'Any';
    return b === undefined ? `${group} conditions` : `${group} condition ${Number(b) + 1}`;
  }
  if (head === 'actions') {
    if (a === undefined) return 'Actions';
    return `Action ${Number(a) + 1}${b ? `: ${ACTION_PART[b] ?? b}${c && b === 'template' ? ` ${c}` : ''}` : ''}`;
  }
  return path || 'Rule';
}

function RuleEditor({ kind, id }: { kind: Kind; id: string | null }) {
  const notify = useToast();
  const spec = KIND[kind];
  const rules = useItems<Stored>(spec.path);
  const { lists, desk, fieldsLoaded } = useLists();
  const existing = id === null ? undefined : rules.items?.find((r) => r.rule.id === id);
  const { draft, setDraft, version, update, reseed } = useDraft(
    undefined,
    existing,
    kind === 'workflow' ? seedWorkflow : seedRouting,
  );
  const form = useEditorForm(withNamedPaths);
  const { formId, errors, saving, setProblem, run } = form;
  const focusLater = useFocusAfterRender();

  const title = id === null ? `New ${spec.noun}` : (existing?.rule.name ?? capitalise(spec.noun));
  usePageTitle(title);

  // A new rule goes after the last one, once the rules have loaded.
  useEffect(() => {
    if (draft !== undefined || !rules.items || id !== null) return;
    const last = Math.max(0, ...rules.items.map((r) => r.rule.position));
    setDraft(draftOf(null, kind, rules.items.length ? last + 10 : 10));
  }, [id, kind, draft, rules.items, setDraft]);

  if (!draft) {
    return (
      <EditorFallback
        back={adminPath(spec.section)}
        backLabel={spec.title}
        noun={spec.noun}
        id={id}
        error={rules.error}
        missing={Boolean(rules.items) && id !== null && !existing}
      />
    );
  }

  const reloadFromServer = async () => {
    if (reseed((await rules.reload())?.find((r) => r.rule.id === id))) setProblem(undefined);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const ruleId = id ?? draft.id.trim();
    if (id === null) {
      const problems = newIdProblems(
        ruleId,
        'rule',
        (x) => rules.items?.some((r) => r.rule.id === x) ?? false,
        {
          test: /^\S{1,100}$/,
          message: 'No spaces, up to 100 characters',
        },
      );
      if (problems.length > 0) {
        setProblem({ kind: 'error', message: 'The rule was not saved', details: problems });
        return;
      }
    }
    const body = kind === 'workflow' ? workflowBody(draft, lists) : routingBody(draft, lists);
    const saved = await run(async () => {
      const result = await api<Stored>('PUT', `${spec.path}/${encodeURIComponent(ruleId)}`, {
        body,
        ...ifMatch(version),
      });
      notify(`Saved “${result.rule.name}” (version ${result.rule.version})`);
    });
    if (saved) navigate(adminPath(spec.section));
  };

  const teamsInDepartment = desk.teams.filter(
    (t) => !draft.departmentId || t.departmentId === draft.departmentId || t.id === draft.teamId,
  );

  return (
    <EditorPage
      back={adminPath(spec.section)}
      backLabel={spec.title}
      title={title}
      subtitle={
        existing ? (
          <IdVersion id={existing.rule.id} version={version ?? existing.rule.version} />
        ) : kind === 'workflow' ? (
          'When the trigger happens and the conditions hold, the actions run.'
        ) : (
          'Where new tickets that meet the conditions go.'
        )
      }
      form={form}
      labelOf={labelOf}
      noun="rule"
      onReload={() => void reloadFromServer()}
      reloading={rules.loading}
      onSubmit={submit}
      notice={
        desk.error ? (
          <LoadProblem
            what="Departments, teams or agents"
            error={desk.error}
            onRetry={() => void desk.reload()}
          />
        ) : null
      }
    >
      <section className="form-section">
        <div className="form-grid">
          <NameAndId errors={errors} draft={draft} nameKey="name" isNew={id === null} update={update} />
          <TextField
            label="Position"
            errors={errors}
            path="position"
            value={draft.position}
            onChange={(position) => update({ position })}
            type="number"
            min={0}
            step={1}
            inputMode="numeric"
            hint="Lower positions are evaluated first."
          />
          {kind === 'workflow' ? (
            <SelectField<RuleTrigger>
              label="When"
              errors={errors}
              path="trigger"
              value={draft.trigger}
              onChange={(trigger) => update({ trigger })}
              options={TRIGGERS.map((t) => ({ value: t, label: TRIGGER_LABEL[t] }))}
            />
          ) : null}
        </div>
        <CheckboxField
          label="Active"
          errors={errors}
          path="active"
          checked={draft.active}
          onChange={(active) => update({ active })}
          hint="Inactive rules are kept but never act."
        />
      </section>

      <section className="form-section" aria-labelledby={`${formId}-conditions`}>
        <h2 className="section-title" id={`${formId}-conditions`}>
          Conditions
        </h2>
        <FieldMessage errors={errors} path="conditions" />
        {!fieldsLoaded ? <Spinner size="sm" label="Loading custom fields" /> : null}
        <ConditionRows
          group="all"
          legend="All of these"
          hint="Every condition here must hold. Leave both groups empty to act on every ticket."
          rows={draft.all}
          onChange={(all) => update({ all })}
          errors={errors}
          lists={lists}
          addId={`${formId}-add-all`}
          focusLater={focusLater}
        />
        <ConditionRows
          group="any"
          legend="Any of these"
          hint="When there are some, at least one must hold too."
          rows={draft.any}
          onChange={(any) => update({ any })}
          errors={errors}
          lists={lists}
          addId={`${formId}-add-any`}
          focusLater={focusLater}
        />
      </section>

      {kind === 'routing' ? (
        <fieldset className="form-section" {...errors.group('target', true)}>
          <legend className="section-title">Sends to</legend>
          <FieldMessage errors={errors} path="target" />
          <div className="form-grid">
            <SelectField
              label="Department"
              errors={errors}
              path="target.departmentId"
              value={draft.departmentId}
              onChange={(departmentId) => {
                const team = desk.teams.find((t) => t.id === draft.teamId);
                update({
                  departmentId,
                  teamId: team && departmentId && team.departmentId !== departmentId ? '' : draft.teamId,
                });
              }}
              placeholder="Keep the ticket's department"
              options={desk.departments.map((d) => ({ value: d.id, label: d.name }))}
            />
            <SelectField
              label="Team"
              errors={errors}
              path="target.teamId"
              value={draft.teamId}
              onChange={(teamId) => update({ teamId })}
              placeholder="No particular team"
              options={teamsInDepartment.map((t) => ({ value: t.id, label: t.name }))}
            />
          </div>
        </fieldset>
      ) : null}

      <ActionRows
        rows={draft.actions}
        onChange={(actions) => update({ actions })}
        errors={errors}
        lists={lists}
        types={kind === 'routing' ? ROUTING_ACTIONS : undefined}
        addId={`${formId}-add-action`}
        focusLater={focusLater}
        legend={kind === 'routing' ? 'Also' : 'Actions'}
        hint={
          kind === 'routing'
            ? `Routing may also ${ROUTING_ACTIONS.map((t) => ACTION_LABEL[t].toLowerCase()).join(' or ')}; anything else belongs in a workflow rule.`
            : 'Run in this order; changes to the ticket are saved as one change naming the rule.'
        }
      />

      <FormActions saving={saving} label="Save rule" cancelTo={adminPath(spec.section)} />
    </EditorPage>
  );
}
