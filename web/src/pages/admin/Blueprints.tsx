/**
 * Admin: the blueprint designer. The list (shared with every agent's list,
 * plus "New blueprint"), and one editor per blueprint: its name, department
 * and entry conditions, and a canvas of states and transitions with a side
 * panel for the selected one. "Publish" sends the whole definition (a new
 * version; tickets under way keep theirs) with the version read in If-Match.
 * The server checks the graph; its messages name the states and transitions
 * at fault, which the banner turns into links and the canvas marks in red.
 *
 * Box positions are the browser's own (the definition has no layout): kept
 * in local storage per blueprint, laid out in columns by distance from the
 * start state otherwise.
 */
import { type FormEvent, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { ApiError, api, get, isAbort, messageOf } from '../../api/client.js';
import type {
  BlueprintBody,
  BlueprintDefinition,
  BlueprintHead,
  BlueprintResult,
  BlueprintTransition,
  Channel,
  EntryCondition,
  FieldError,
  Priority,
  RequiredField,
  Role,
  TicketStatus,
  TransitionAction,
} from '../../api/types.js';
import { Spinner } from '../../components/Feedback.js';
import { FieldMessage, FormErrors, focusField } from '../../components/FormErrors.js';
import { FIELD_TYPE_LABEL } from '../../lib/blueprints.js';
import { useDirectory } from '../../lib/directory.js';
import { CHANNEL_LABEL, PRIORITIES, PRIORITY_LABEL, STATUS_LABEL, STATUSES } from '../../lib/format.js';
import { useNow } from '../../lib/now.js';
import { adminPath, blueprintDashboardPath, Link, NEW_ITEM, navigate } from '../../lib/router.js';
import { duration } from '../../lib/sla.js';
import { useToast } from '../../lib/toast.js';
import { BlueprintListPage } from '../Blueprints.js';
import {
  autoLayout,
  BlueprintCanvas,
  type CanvasState,
  type CanvasTransition,
  freeSpot,
  type Layout,
  type Point,
  type Selection,
} from './BlueprintCanvas.js';
import { BackTo, CheckboxField, CheckboxGroup, PageHeader, Updated, usePageTitle } from './common.js';

export function BlueprintsAdminPage({ id }: { id?: string | null }) {
  return id === undefined ? (
    <BlueprintListPage admin designer />
  ) : (
    <BlueprintEditor key={id ?? NEW_ITEM} id={id} />
  );
}

// ---------------------------------------------------------------------------
// The draft the form edits

type Clock = 'business' | 'calendar';
const CHANNELS = Object.keys(CHANNEL_LABEL) as Channel[];
const ROLES: readonly Role[] = ['admin', 'supervisor', 'agent'];
const ROLE_LABEL: Record<Role, string> = { admin: 'Admins', supervisor: 'Supervisors', agent: 'Agents' };
const FIELD_TYPES = Object.keys(FIELD_TYPE_LABEL) as RequiredField['type'][];

interface StateDraft {
  key: number;
  id: string;
  /** The id follows the name (a state not published yet whose id was not edited). */
  idAuto: boolean;
  /** Published states keep their id: runs and dashboards refer to it. */
  published: boolean;
  name: string;
  status: TicketStatus;
  limitMinutes: string;
  clock: Clock;
  final: boolean;
}

interface FieldDraft {
  key: number;
  fieldId: string;
  idAuto: boolean;
  label: string;
  type: RequiredField['type'];
  /** Picklist options, one per line. */
  options: string;
}

interface TransitionDraft {
  key: number;
  id: string;
  idAuto: boolean;
  published: boolean;
  name: string;
  from: number;
  to: number;
  teamIds: string[];
  departmentIds: string[];
  roles: Role[];
  /** Agents named through the API: kept as they are. */
  agentIds: string[];
  fields: FieldDraft[];
  requireNote: boolean;
  notifyCustomer: boolean;
  subject: string;
  body: string;
  /** Actions this form does not edit (set a field, the priority, notify others), sent back unchanged. */
  otherActions: TransitionAction[];
}

interface Draft {
  id: string;
  idAuto: boolean;
  name: string;
  departmentId: string;
  channels: Channel[];
  priorities: Priority[];
  /** Entry conditions this form does not edit, sent back unchanged. */
  otherConditions: EntryCondition[];
  states: StateDraft[];
  startKey: number | null;
  transitions: TransitionDraft[];
}

let nextKey = 1;
const newKey = () => nextKey++;

/** A state or transition id: a lower-case slug. */
function slug(name: string, fallback: string): string {
  const s = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return s || fallback;
}

/** A required field's id: lower_snake_case starting with a letter. */
function fieldSlug(label: string): string {
  const s = label
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  return s && /^[0-9]/.test(s) ? `f_${s}` : s;
}

/** A display name not yet taken: "New state", "New state 2", … */
function uniqueName(base: string, taken: readonly string[]): string {
  let name = base;
  for (let n = 2; taken.includes(name); n++) name = `${base} ${n}`;
  return name;
}

function unique(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) if (!taken.includes(`${base}-${n}`)) return `${base}-${n}`;
}

function isCustomerNotice(a: TransitionAction): a is Extract<TransitionAction, { type: 'notify' }> {
  return a.type === 'notify' && a.to === 'customer';
}

function transitionDraft(t: BlueprintTransition, keyOf: (stateId: string) => number): TransitionDraft {
  const notice = t.actions?.find(isCustomerNotice);
  return {
    key: newKey(),
    id: t.id,
    idAuto: false,
    published: true,
    name: t.name,
    from: keyOf(t.from),
    to: keyOf(t.to),
    teamIds: t.performers.teamIds ?? [],
    departmentIds: t.performers.departmentIds ?? [],
    roles: t.performers.roles ?? [],
    agentIds: t.performers.agentIds ?? [],
    fields: (t.requiredFields ?? []).map((f) => ({
      key: newKey(),
      fieldId: f.fieldId,
      idAuto: false,
      label: f.label,
      type: f.type,
      options: (f.options ?? []).join('\n'),
    })),
    requireNote: t.requireNote ?? false,
    notifyCustomer: Boolean(notice),
    subject: notice?.template.subject ?? '',
    body: notice?.template.body ?? '',
    otherActions: (t.actions ?? []).filter((a) => a !== notice),
  };
}

function draftOf(def: BlueprintDefinition | null): Draft {
  const states: StateDraft[] = (def?.states ?? []).map((s) => ({
    key: newKey(),
    id: s.id,
    idAuto: false,
    published: true,
    name: s.name,
    status: s.status,
    limitMinutes: s.timeLimit ? String(s.timeLimit.minutes) : '',
    clock: s.timeLimit?.clock ?? 'business',
    final: s.final ?? false,
  }));
  const keyOf = (stateId: string) => states.find((s) => s.id === stateId)?.key ?? -1;
  const conditions = def?.entry.conditions ?? [];
  const listOf = (field: string) =>
    conditions.find((c) => c.field === field && (c.operator === 'in' || c.operator === 'is'));
  const channel = listOf('channel');
  const priority = listOf('priority');
  const values = (c: EntryCondition | undefined) =>
    c ? (Array.isArray(c.value) ? c.value : [c.value]).map(String) : [];
  return {
    id: def?.id ?? '',
    idAuto: def === null,
    name: def?.name ?? '',
    departmentId: def?.departmentId ?? '',
    channels: values(channel) as Channel[],
    priorities: values(priority) as Priority[],
    otherConditions: conditions.filter((c) => c !== channel && c !== priority),
    states,
    startKey: def ? keyOf(def.startState) : null,
    transitions: (def?.transitions ?? []).map((t) => transitionDraft(t, keyOf)),
  };
}

/** After publishing: every id is now fixed. */
function markPublished(d: Draft): Draft {
  return {
    ...d,
    idAuto: false,
    states: d.states.map((s) => ({ ...s, idAuto: false, published: true })),
    transitions: d.transitions.map((t) => ({
      ...t,
      idAuto: false,
      published: true,
      fields: t.fields.map((f) => ({ ...f, idAuto: false })),
    })),
  };
}

/** A number as typed; what is not one goes to the server as null, which names the field. */
function numberOf(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

type ConditionSource = 'channels' | 'priorities' | 'other';

/** The request body, and which form control each entry condition came from (to place the server's errors). */
function bodyOf(d: Draft): { body: BlueprintBody; sources: ConditionSource[] } {
  const conditions: EntryCondition[] = [];
  const sources: ConditionSource[] = [];
  if (d.channels.length) {
    conditions.push({
      field: 'channel',
      operator: 'in',
      value: CHANNELS.filter((c) => d.channels.includes(c)),
    });
    sources.push('channels');
  }
  if (d.priorities.length) {
    conditions.push({
      field: 'priority',
      operator: 'in',
      value: PRIORITIES.filter((p) => d.priorities.includes(p)),
    });
    sources.push('priorities');
  }
  for (const c of d.otherConditions) {
    conditions.push(c);
    sources.push('other');
  }
  const idOf = (key: number) => d.states.find((s) => s.key === key)?.id ?? '';
  const body: BlueprintBody = {
    name: d.name,
    departmentId: d.departmentId,
    entry: { conditions },
    states: d.states.map((s) => ({
      id: s.id,
      name: s.name,
      status: s.status,
      ...(s.limitMinutes.trim() ? { timeLimit: { minutes: numberOf(s.limitMinutes), clock: s.clock } } : {}),
      ...(s.final ? { final: true } : {}),
    })),
    startState: d.startKey === null ? '' : idOf(d.startKey),
    transitions: d.transitions.map((t) => {
      const actions: TransitionAction[] = [
        ...(t.notifyCustomer
          ? [
              {
                type: 'notify' as const,
                to: 'customer' as const,
                template: { subject: t.subject, body: t.body },
              },
            ]
          : []),
        ...t.otherActions,
      ];
      return {
        id: t.id,
        name: t.name,
        from: idOf(t.from),
        to: idOf(t.to),
        performers: {
          ...(t.agentIds.length ? { agentIds: t.agentIds } : {}),
          ...(t.teamIds.length ? { teamIds: t.teamIds } : {}),
          ...(t.roles.length ? { roles: ROLES.filter((r) => t.roles.includes(r)) } : {}),
          ...(t.departmentIds.length ? { departmentIds: t.departmentIds } : {}),
        },
        ...(t.fields.length
          ? {
              requiredFields: t.fields.map((f) => ({
                fieldId: f.fieldId,
                label: f.label,
                type: f.type,
                ...(f.type === 'picklist'
                  ? {
                      options: f.options
                        .split('\n')
                        .map((o) => o.trim())
                        .filter(Boolean),
                    }
                  : {}),
              })),
            }
          : {}),
        ...(t.requireNote ? { requireNote: true } : {}),
        ...(actions.length ? { actions } : {}),
      };
    }),
  };
  return { body, sources };
}

// ---------------------------------------------------------------------------
// The server's errors, placed on the form

/**
 * Error paths of the form: `name`, `id`, `departmentId`, `entry.<channels|priorities|other>`,
 * `startState`, `states`, `transitions`, `state.<key>.<field>`, `transition.<key>.<field>`
 * and `transition.<key>.requiredFields.<fieldKey>.<field>`.
 */
function formPath(path: string, d: Draft, sources: ConditionSource[]): string {
  const parts = path.split('.');
  const [head, index, field, sub, subField] = parts;
  if (head === 'entry') {
    const source = index === 'conditions' && field !== undefined ? sources[Number(field)] : undefined;
    return source ? `entry.${source}` : 'entry';
  }
  if (head === 'states' && index !== undefined) {
    const state = d.states[Number(index)];
    if (!state) return 'states';
    return field ? `state.${state.key}.${field}` : `state.${state.key}`;
  }
  if (head === 'transitions' && index !== undefined) {
    const t = d.transitions[Number(index)];
    if (!t) return 'transitions';
    if (field === 'requiredFields' && sub !== undefined) {
      const f = t.fields[Number(sub)];
      if (f) return `transition.${t.key}.requiredFields.${f.key}${subField ? `.${subField}` : ''}`;
    }
    if (field === 'performers' || field === 'actions') return `transition.${t.key}.${field}`;
    return field ? `transition.${t.key}.${field}` : `transition.${t.key}`;
  }
  return head ?? '';
}

/** The states and transitions a graph problem names: `"Name" (id)`, `transition "Name" (id)`. */
function problemRefs(message: string, d: Draft): Selection[] {
  const refs: Selection[] = [];
  for (const match of message.matchAll(/(transition )?"[^"]*" \(([a-z0-9][a-z0-9_-]{0,63})\)/g)) {
    const found = match[1]
      ? d.transitions.find((t) => t.id === match[2])
      : d.states.find((s) => s.id === match[2]);
    if (found) refs.push({ kind: match[1] ? 'transition' : 'state', key: found.key });
  }
  return refs;
}

interface Problem {
  kind: 'error' | 'conflict';
  message: string;
  /** Field errors, in form paths. */
  fields: FieldError[];
  /** Sentences about the graph, with the states and transitions they name. */
  graph: { message: string; refs: Selection[] }[];
}

const STATE_FIELD_LABEL: Record<string, string> = {
  id: 'ID',
  name: 'name',
  status: 'ticket status',
  timeLimit: 'time limit',
  final: 'final',
};
const TRANSITION_FIELD_LABEL: Record<string, string> = {
  id: 'ID',
  name: 'name',
  from: 'from',
  to: 'to',
  performers: 'performers',
  requiredFields: 'required fields',
  requireNote: 'note',
  actions: 'actions',
};
const REQUIRED_FIELD_LABEL: Record<string, string> = {
  fieldId: 'ID',
  label: 'label',
  type: 'type',
  options: 'options',
};

function labelOf(path: string, d: Draft): string {
  const [head, key, field, fieldKey, sub] = path.split('.');
  if (head === 'id') return 'ID';
  if (head === 'name') return 'Blueprint name';
  if (head === 'departmentId') return 'Department';
  if (head === 'entry')
    return key ? `Entry conditions: ${key === 'other' ? 'other' : key}` : 'Entry conditions';
  if (head === 'startState') return 'Start state';
  if (head === 'states') return 'States';
  if (head === 'transitions') return 'Transitions';
  if (head === 'state') {
    const s = d.states.find((x) => String(x.key) === key);
    const name = `State “${s?.name || s?.id || '?'}”`;
    return field ? `${name}: ${STATE_FIELD_LABEL[field] ?? field}` : name;
  }
  if (head === 'transition') {
    const t = d.transitions.find((x) => String(x.key) === key);
    const name = `Transition “${t?.name || t?.id || '?'}”`;
    if (field === 'requiredFields' && fieldKey) {
      const n = (t?.fields.findIndex((f) => String(f.key) === fieldKey) ?? -1) + 1;
      return `${name}, field ${n}${sub ? `: ${REQUIRED_FIELD_LABEL[sub] ?? sub}` : ''}`;
    }
    return field ? `${name}: ${TRANSITION_FIELD_LABEL[field] ?? field}` : name;
  }
  return path || 'Blueprint';
}

function selectionOfPath(path: string): Selection {
  const [head, key] = path.split('.');
  if (head === 'state' && key) return { kind: 'state', key: Number(key) };
  if (head === 'transition' && key) return { kind: 'transition', key: Number(key) };
  return null;
}

// ---------------------------------------------------------------------------
// Layout kept in the browser

const LAYOUT_KEY = 'helpdesk.blueprint-layout.';

function storedLayout(blueprintId: string): Record<string, Point> {
  try {
    const raw = localStorage.getItem(LAYOUT_KEY + blueprintId);
    const parsed = raw ? (JSON.parse(raw) as unknown) : null;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, Point>) : {};
  } catch {
    return {};
  }
}

function storeLayout(blueprintId: string, d: Draft, layout: Layout): void {
  if (!blueprintId) return;
  const byId: Record<string, Point> = {};
  for (const s of d.states) {
    const at = layout[s.key];
    if (at && s.id) byId[s.id] = { x: at.x, y: at.y };
  }
  try {
    localStorage.setItem(LAYOUT_KEY + blueprintId, JSON.stringify(byId));
  } catch {
    // Positions are a convenience only.
  }
}

function initialLayout(d: Draft, blueprintId: string): Layout {
  const layout = autoLayout(d.states, d.transitions, d.startKey);
  const stored = storedLayout(blueprintId);
  for (const s of d.states) {
    const at = stored[s.id];
    if (at && Number.isFinite(at.x) && Number.isFinite(at.y)) layout[s.key] = { x: at.x, y: at.y };
  }
  return layout;
}

// ---------------------------------------------------------------------------
// The editor

interface Loaded {
  version: number;
  updatedAt: string;
  updatedBy: string;
}

function BlueprintEditor({ id }: { id: string | null }) {
  const formId = useId();
  const notify = useToast();
  const now = useNow();
  const directory = useDirectory();
  const [draft, setDraft] = useState<Draft | undefined>(() => (id === null ? draftOf(null) : undefined));
  const [layout, setLayoutState] = useState<Layout>({});
  /** The latest layout, also between a move and its render (a keyboard move stores it at once). */
  const layoutRef = useRef<Layout>({});
  const setLayout = useCallback((next: Layout) => {
    layoutRef.current = next;
    setLayoutState(next);
  }, []);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<ApiError | Error>();
  const [selection, setSelection] = useState<Selection>(null);
  const [problem, setProblem] = useState<Problem>();
  const [publishing, setPublishing] = useState(false);
  const [reloading, setReloading] = useState(false);
  const [pendingFocus, setPendingFocus] = useState<string>();
  const [fit, setFit] = useState(false);
  const bannerRef = useRef<HTMLDivElement>(null);
  const errors = useMemo(() => new FormErrors(formId, problem?.fields ?? []), [formId, problem]);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      if (id === null) return;
      try {
        const result = await get<BlueprintResult>(`/blueprints/${encodeURIComponent(id)}`, signal);
        const next = draftOf(result.definition);
        setDraft(next);
        setLayout(initialLayout(next, id));
        setLoaded({
          version: result.definition.version,
          updatedAt: result.updatedAt,
          updatedBy: result.updatedBy,
        });
        setSelection(null);
        setLoadError(undefined);
      } catch (e) {
        if (!isAbort(e)) setLoadError(e instanceof Error ? e : new Error(messageOf(e)));
      }
    },
    [id, setLayout],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  const title = id === null ? 'New blueprint' : draft?.name || 'Blueprint';
  usePageTitle(title);

  useEffect(() => {
    if (problem) bannerRef.current?.focus();
  }, [problem]);

  // Focus a field once the side panel shows it (after choosing an error in the banner).
  useEffect(() => {
    if (!pendingFocus) return;
    focusField(errors, pendingFocus);
    setPendingFocus(undefined);
  }, [pendingFocus, errors]);

  if (!draft) {
    const notFound = loadError instanceof ApiError && loadError.status === 404;
    return (
      <div className="page admin-page" aria-busy={!loadError}>
        <BackTo to={adminPath('blueprints')} label="Blueprints" />
        {loadError ? (
          <div className="empty-state">
            <h1 className="empty-title" tabIndex={-1}>
              {notFound ? 'Blueprint not found' : 'The blueprint could not be loaded'}
            </h1>
            <p className="muted">
              {notFound ? `There is no blueprint with the id “${id}”.` : loadError.message}
            </p>
          </div>
        ) : (
          <Spinner label="Loading blueprint" />
        )}
      </div>
    );
  }

  const blueprintId = id ?? draft.id.trim();
  const update = (change: (d: Draft) => Draft) => setDraft((d) => (d ? change(d) : d));
  const updateState = (key: number, change: Partial<StateDraft>) =>
    update((d) => ({ ...d, states: d.states.map((s) => (s.key === key ? { ...s, ...change } : s)) }));
  const updateTransition = (key: number, change: Partial<TransitionDraft>) =>
    update((d) => ({
      ...d,
      transitions: d.transitions.map((t) => (t.key === key ? { ...t, ...change } : t)),
    }));

  const addState = () => {
    const key = newKey();
    const near = selection?.kind === 'state' ? layout[selection.key] : undefined;
    const at = freeSpot(layout, near);
    update((d) => {
      const name = uniqueName(
        'New state',
        d.states.map((s) => s.name),
      );
      const state: StateDraft = {
        key,
        id: unique(
          slug(name, 'state'),
          d.states.map((s) => s.id),
        ),
        idAuto: true,
        published: false,
        name,
        status: 'open',
        limitMinutes: '',
        clock: 'business',
        final: false,
      };
      return { ...d, states: [...d.states, state], startKey: d.startKey ?? key };
    });
    setLayout({ ...layoutRef.current, [key]: at });
    setSelection({ kind: 'state', key });
    setPendingFocus(`state.${key}.name`);
  };

  const addTransition = (from: number, to: number) => {
    const key = newKey();
    update((d) => {
      const toName = d.states.find((s) => s.key === to)?.name || 'next state';
      const taken = d.transitions.filter((t) => t.from === from).map((t) => t.name);
      const name = uniqueName(`Move to ${toName}`, taken);
      const transition: TransitionDraft = {
        key,
        id: unique(
          slug(name, 'transition'),
          d.transitions.map((t) => t.id),
        ),
        idAuto: true,
        published: false,
        name,
        from,
        to,
        teamIds: [],
        departmentIds: d.departmentId ? [d.departmentId] : [],
        roles: [],
        agentIds: [],
        fields: [],
        requireNote: false,
        notifyCustomer: false,
        subject: '',
        body: '',
        otherActions: [],
      };
      return { ...d, transitions: [...d.transitions, transition] };
    });
    setSelection({ kind: 'transition', key });
    setPendingFocus(`transition.${key}.name`);
  };

  const removeState = (key: number) => {
    update((d) => {
      const states = d.states.filter((s) => s.key !== key);
      return {
        ...d,
        states,
        startKey: d.startKey === key ? (states[0]?.key ?? null) : d.startKey,
        transitions: d.transitions.filter((t) => t.from !== key && t.to !== key),
      };
    });
    setSelection(null);
  };

  const removeTransition = (key: number) => {
    update((d) => ({ ...d, transitions: d.transitions.filter((t) => t.key !== key) }));
    setSelection(null);
  };

  const publish = async () => {
    if (publishing) return;
    if (id === null) {
      const local: FieldError[] = [];
      if (!blueprintId) local.push({ field: 'id', message: 'Give the blueprint an id' });
      else if (blueprintId === NEW_ITEM) local.push({ field: 'id', message: `“${NEW_ITEM}” is reserved` });
      else {
        const existing = await get<{ items: BlueprintHead[] }>('/blueprints').catch(() => ({ items: [] }));
        if (existing.items.some((b) => b.id === blueprintId))
          local.push({ field: 'id', message: 'A blueprint with this id exists already' });
      }
      if (local.length > 0) {
        setProblem({ kind: 'error', message: 'The blueprint was not published', fields: local, graph: [] });
        return;
      }
    }
    const snapshot = draft;
    const { body, sources } = bodyOf(snapshot);
    setPublishing(true);
    setProblem(undefined);
    try {
      const result = await api<{ definition: BlueprintDefinition }>(
        'PUT',
        `/blueprints/${encodeURIComponent(blueprintId)}`,
        { body, ...(loaded ? { ifMatch: `"${loaded.version}"` } : {}) },
      );
      const published = result.definition;
      storeLayout(published.id, snapshot, layoutRef.current);
      notify(`Published “${published.name}” as version ${published.version}`);
      if (id === null) {
        navigate(adminPath('blueprints', published.id), { replace: true });
        return;
      }
      setDraft((d) => (d ? markPublished(d) : d));
      setLoaded({
        version: published.version,
        updatedAt: new Date().toISOString(),
        updatedBy: directory.me.email,
      });
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        setProblem({ kind: 'conflict', message: e.message, fields: [], graph: [] });
      } else {
        const details = e instanceof ApiError ? e.details : [];
        setProblem({
          kind: 'error',
          message: messageOf(e),
          fields: details
            .filter((x) => x.field !== '')
            .map((x) => ({ field: formPath(x.field, snapshot, sources), message: x.message })),
          graph: details
            .filter((x) => x.field === '')
            .map((x) => ({ message: x.message, refs: problemRefs(x.message, snapshot) })),
        });
      }
    } finally {
      setPublishing(false);
    }
  };

  const reloadFromServer = async () => {
    setReloading(true);
    await load();
    setReloading(false);
    setProblem(undefined);
  };

  const goTo = (sel: Selection, path?: string) => {
    setSelection(sel);
    if (path) setPendingFocus(path);
    else if (sel)
      requestAnimationFrame(() =>
        document
          .querySelector<HTMLElement>(
            `#${CSS.escape(`${formId}-panel`)} input, #${CSS.escape(`${formId}-panel`)} select`,
          )
          ?.focus(),
      );
  };

  // What the canvas marks red: items with field errors or named by a graph problem.
  const invalid = new Set<string>();
  for (const f of problem?.fields ?? []) {
    const sel = selectionOfPath(f.field);
    if (sel) invalid.add(`${sel.kind}:${sel.key}`);
  }
  for (const g of problem?.graph ?? []) for (const r of g.refs) if (r) invalid.add(`${r.kind}:${r.key}`);

  const canvasStates: CanvasState[] = draft.states.map((s) => ({
    key: s.key,
    id: s.id,
    name: s.name,
    status: s.status,
    final: s.final,
    start: s.key === draft.startKey,
    invalid: invalid.has(`state:${s.key}`),
  }));
  const canvasTransitions: CanvasTransition[] = draft.transitions.map((t) => ({
    key: t.key,
    name: t.name,
    from: t.from,
    to: t.to,
    invalid: invalid.has(`transition:${t.key}`),
  }));
  const selectedState =
    selection?.kind === 'state' ? draft.states.find((s) => s.key === selection.key) : undefined;
  const selectedTransition =
    selection?.kind === 'transition' ? draft.transitions.find((t) => t.key === selection.key) : undefined;
  const departments = directory.departments.filter((d) => d.active || d.id === draft.departmentId);
  const departmentKnown = !draft.departmentId || departments.some((d) => d.id === draft.departmentId);

  return (
    <div className="page admin-page bp-designer">
      <BackTo to={adminPath('blueprints')} label="Blueprints" />
      <PageHeader
        title={title}
        subtitle={
          loaded && id !== null ? (
            <>
              <span className="mono">{id}</span> ·{' '}
              <Updated version={loaded.version} at={loaded.updatedAt} by={loaded.updatedBy} now={now} />
            </>
          ) : (
            'States map onto the ticket status; transitions are the only way from one state to the next.'
          )
        }
      >
        <div className="page-actions">
          {id !== null ? (
            <Link to={blueprintDashboardPath(id)} className="btn btn-secondary btn-sm">
              Dashboard
            </Link>
          ) : null}
          <button
            type="button"
            className="btn btn-primary btn-sm"
            onClick={() => void publish()}
            disabled={publishing}
          >
            {publishing ? <Spinner size="sm" /> : null}
            {publishing ? 'Publishing…' : 'Publish'}
          </button>
        </div>
      </PageHeader>

      {problem ? (
        <div
          className={`alert ${problem.kind === 'conflict' ? 'alert-warning' : 'alert-error'} form-banner`}
          role="alert"
          tabIndex={-1}
          ref={bannerRef}
        >
          <div className="alert-body">
            {problem.kind === 'conflict' ? (
              <>
                <strong>This blueprint was published by someone else</strong> since you opened it. Reload it
                to see their version, then make your changes again.
              </>
            ) : (
              <div>
                {problem.fields.length + problem.graph.length > 0
                  ? 'The blueprint was not published:'
                  : problem.message}
              </div>
            )}
            {problem.fields.length + problem.graph.length > 0 ? (
              <ul className="alert-details">
                {problem.fields.map((f) => (
                  <li key={`${f.field}:${f.message}`}>
                    <button
                      type="button"
                      className="link-button error-link"
                      onClick={() => goTo(selectionOfPath(f.field), f.field)}
                    >
                      {labelOf(f.field, draft)}
                    </button>
                    : {f.message}
                  </li>
                ))}
                {problem.graph.map((g) => (
                  <li key={g.message}>
                    {g.refs[0] ? (
                      <button
                        type="button"
                        className="link-button error-link"
                        onClick={() => goTo(g.refs[0] ?? null)}
                      >
                        {g.message}
                      </button>
                    ) : (
                      g.message
                    )}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
          {problem.kind === 'conflict' ? (
            <button
              type="button"
              className="btn btn-secondary btn-sm"
              onClick={() => void reloadFromServer()}
              disabled={reloading}
            >
              {reloading ? <Spinner size="sm" /> : null}
              Reload
            </button>
          ) : null}
        </div>
      ) : null}

      <section className="form-section" aria-labelledby={`${formId}-settings`}>
        <h2 className="section-title" id={`${formId}-settings`}>
          Blueprint
        </h2>
        <div className="form-grid">
          <div className="field">
            <label htmlFor={errors.id('name')}>Blueprint name</label>
            <input
              {...errors.control('name')}
              value={draft.name}
              onChange={(e) => {
                const name = e.target.value;
                update((d) => ({ ...d, name, id: id === null && d.idAuto ? slug(name, '') : d.id }));
              }}
              autoComplete="off"
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
                onChange={(e) => update((d) => ({ ...d, id: e.target.value, idAuto: false }))}
                autoComplete="off"
                spellCheck={false}
              />
              <FieldMessage errors={errors} path="id" />
            </div>
          ) : null}
          <div className="field">
            <label htmlFor={errors.id('departmentId')}>Department</label>
            <select
              {...errors.control('departmentId')}
              value={draft.departmentId}
              onChange={(e) => update((d) => ({ ...d, departmentId: e.target.value }))}
            >
              <option value="">Choose a department…</option>
              {departments.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
              {departmentKnown ? null : <option value={draft.departmentId}>{draft.departmentId}</option>}
            </select>
            <FieldMessage errors={errors} path="departmentId" />
          </div>
        </div>
        <fieldset className="bp-entry" {...errors.group('entry', true)}>
          <legend className="subsection-title">Entry conditions</legend>
          <p className="field-hint">
            New tickets of the department enter the blueprint when every condition set holds; leave both empty
            to let every new ticket of the department in.
          </p>
          <FieldMessage errors={errors} path="entry" />
          <div className="bp-conditions">
            <CheckboxGroup
              legend="Channel is one of"
              errors={errors}
              path="entry.channels"
              options={CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABEL[c] }))}
              selected={draft.channels}
              onChange={(channels) => update((d) => ({ ...d, channels: channels as Channel[] }))}
              none="Any channel"
              inline
            />
            <CheckboxGroup
              legend="Priority is one of"
              errors={errors}
              path="entry.priorities"
              options={[...PRIORITIES].reverse().map((p) => ({ value: p, label: PRIORITY_LABEL[p] }))}
              selected={draft.priorities}
              onChange={(priorities) => update((d) => ({ ...d, priorities: priorities as Priority[] }))}
              none="Any priority"
              inline
            />
          </div>
          {draft.otherConditions.length > 0 ? (
            <p className="muted small">
              Also kept as set through the API:{' '}
              {draft.otherConditions
                .map(
                  (c) =>
                    `${c.field} ${c.operator} ${Array.isArray(c.value) ? c.value.join(', ') : String(c.value)}`,
                )
                .join('; ')}
              .
            </p>
          ) : null}
          <FieldMessage errors={errors} path="entry.other" />
        </fieldset>
      </section>

      <section className="form-section" aria-labelledby={`${formId}-process`}>
        <h2 className="section-title" id={`${formId}-process`}>
          Process
        </h2>
        {(['states', 'transitions', 'startState'] as const).map((path) =>
          errors.at(path).length > 0 ? (
            <p key={path} className="field-error" id={errors.errorId(path)}>
              {labelOf(path, draft)}: {[...new Set(errors.at(path))].join('; ')}
            </p>
          ) : null,
        )}
        <div className="bp-toolbar">
          <button type="button" className="btn btn-secondary btn-sm" onClick={addState}>
            Add state
          </button>
          <AddTransitionForm states={draft.states} onAdd={addTransition} />
          <button
            type="button"
            className="btn btn-ghost btn-sm bp-fit"
            aria-pressed={fit}
            onClick={() => setFit((f) => !f)}
          >
            Fit to width
          </button>
        </div>
        <p className="field-hint" id={`${formId}-canvas-hint`}>
          Drag a state to move it; drag from the dot on its right edge onto another state to connect them.
          Click a state or a transition's name to edit it; with the keyboard, Tab to it and press Enter, arrow
          keys move a state.
        </p>
        <div className="bp-workspace">
          <BlueprintCanvas
            states={canvasStates}
            transitions={canvasTransitions}
            layout={layout}
            selection={selection}
            onSelect={setSelection}
            onMove={(key, to) => setLayout({ ...layoutRef.current, [key]: to })}
            onMoveEnd={() => {
              // A new blueprint's boxes are stored when it is published (its id may still change).
              if (id !== null) storeLayout(id, draft, layoutRef.current);
            }}
            onConnect={addTransition}
            describedBy={`${formId}-canvas-hint`}
            fit={fit}
          />
          <aside className="bp-side" id={`${formId}-panel`} aria-label="Selected item">
            {selectedState ? (
              <StatePanel
                key={selectedState.key}
                state={selectedState}
                draft={draft}
                errors={errors}
                isStart={selectedState.key === draft.startKey}
                onChange={(change) => updateState(selectedState.key, change)}
                onStart={() => update((d) => ({ ...d, startKey: selectedState.key }))}
                onRemove={() => removeState(selectedState.key)}
                onSelect={goTo}
              />
            ) : selectedTransition ? (
              <TransitionPanel
                key={selectedTransition.key}
                transition={selectedTransition}
                draft={draft}
                errors={errors}
                onChange={(change) => updateTransition(selectedTransition.key, change)}
                onRemove={() => removeTransition(selectedTransition.key)}
                onFocusLater={setPendingFocus}
              />
            ) : (
              <div className="bp-side-empty">
                <p className="bp-side-title">Nothing selected</p>
                <p className="muted small">
                  {draft.states.length === 0
                    ? 'Start with “Add state”: the first state is where tickets enter.'
                    : 'Select a state or a transition to edit its properties.'}
                </p>
                <p className="muted small">
                  {draft.states.length} state{draft.states.length === 1 ? '' : 's'},{' '}
                  {draft.transitions.length} transition{draft.transitions.length === 1 ? '' : 's'}.
                </p>
              </div>
            )}
          </aside>
        </div>
      </section>

      <div className="form-actions">
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => void publish()}
          disabled={publishing}
        >
          {publishing ? <Spinner size="sm" /> : null}
          {publishing ? 'Publishing…' : 'Publish'}
        </button>
        <Link to={adminPath('blueprints')} className="btn btn-secondary">
          Cancel
        </Link>
        <span className="muted small bp-publish-hint">
          Publishing makes a new version; tickets already under way keep the version they entered.
        </span>
      </div>
    </div>
  );
}

function AddTransitionForm({
  states,
  onAdd,
}: {
  states: StateDraft[];
  onAdd(from: number, to: number): void;
}) {
  const id = useId();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const fromKey = states.some((s) => String(s.key) === from) ? from : '';
  const toKey = states.some((s) => String(s.key) === to) ? to : '';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!fromKey || !toKey) return;
    onAdd(Number(fromKey), Number(toKey));
  };
  return (
    <form className="bp-add-transition" onSubmit={submit} aria-label="Add transition">
      <div className="inline-field">
        <label htmlFor={`${id}-from`}>From</label>
        <select id={`${id}-from`} value={fromKey} onChange={(e) => setFrom(e.target.value)}>
          <option value="">State…</option>
          {states
            .filter((s) => !s.final)
            .map((s) => (
              <option key={s.key} value={s.key}>
                {s.name || s.id}
              </option>
            ))}
        </select>
      </div>
      <div className="inline-field">
        <label htmlFor={`${id}-to`}>To</label>
        <select id={`${id}-to`} value={toKey} onChange={(e) => setTo(e.target.value)}>
          <option value="">State…</option>
          {states.map((s) => (
            <option key={s.key} value={s.key}>
              {s.name || s.id}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="btn btn-secondary btn-sm" disabled={!fromKey || !toKey}>
        Add transition
      </button>
    </form>
  );
}

function StatePanel({
  state,
  draft,
  errors,
  isStart,
  onChange,
  onStart,
  onRemove,
  onSelect,
}: {
  state: StateDraft;
  draft: Draft;
  errors: FormErrors;
  isStart: boolean;
  onChange(change: Partial<StateDraft>): void;
  onStart(): void;
  onRemove(): void;
  onSelect(selection: Selection): void;
}) {
  const base = `state.${state.key}`;
  const minutes = Number(state.limitMinutes);
  const out = draft.transitions.filter((t) => t.from === state.key);
  const into = draft.transitions.filter((t) => t.to === state.key);
  const nameOf = (key: number) => draft.states.find((s) => s.key === key)?.name || '?';
  const takenIds = draft.states.filter((s) => s.key !== state.key).map((s) => s.id);
  return (
    <div className="bp-side-body">
      <p className="bp-side-title">State</p>
      <FieldMessage errors={errors} path={base} />
      <div className="field">
        <label htmlFor={errors.id(`${base}.name`)}>State name</label>
        <input
          {...errors.control(`${base}.name`)}
          value={state.name}
          onChange={(e) => {
            const name = e.target.value;
            onChange(state.idAuto ? { name, id: unique(slug(name, 'state'), takenIds) } : { name });
          }}
          autoComplete="off"
        />
        <FieldMessage errors={errors} path={`${base}.name`} />
      </div>
      <div className="field">
        <label htmlFor={errors.id(`${base}.id`)}>State ID</label>
        <input
          {...errors.control(`${base}.id`)}
          className="mono"
          value={state.id}
          readOnly={state.published}
          onChange={(e) => onChange({ id: e.target.value, idAuto: false })}
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${errors.id(`${base}.id`)}-hint`}
        />
        <p className="field-hint" id={`${errors.id(`${base}.id`)}-hint`}>
          {state.published
            ? 'Fixed once published: tickets under way and the dashboard refer to it.'
            : 'Follows the name until you edit it.'}
        </p>
        <FieldMessage errors={errors} path={`${base}.id`} />
      </div>
      <div className="field">
        <label htmlFor={errors.id(`${base}.status`)}>Ticket status</label>
        <select
          {...errors.control(`${base}.status`)}
          value={state.status}
          onChange={(e) => onChange({ status: e.target.value as TicketStatus })}
        >
          {STATUSES.filter((s) => s !== 'new').map((s) => (
            <option key={s} value={s}>
              {STATUS_LABEL[s]}
            </option>
          ))}
        </select>
        <FieldMessage errors={errors} path={`${base}.status`} />
      </div>
      <fieldset className="field" {...errors.group(`${base}.timeLimit`, true)}>
        <legend className="field-label">Time limit</legend>
        <div className="bp-inline">
          <input
            id={errors.id(`${base}.timeLimit`)}
            aria-invalid={errors.at(`${base}.timeLimit`, true).length > 0 || undefined}
            type="number"
            min={1}
            step={1}
            inputMode="numeric"
            className="minutes-input"
            value={state.limitMinutes}
            onChange={(e) => onChange({ limitMinutes: e.target.value })}
            aria-label="Time limit (minutes)"
            placeholder="None"
          />
          <span aria-hidden="true">min</span>
          <select
            value={state.clock}
            onChange={(e) => onChange({ clock: e.target.value as Clock })}
            aria-label="Time limit clock"
            disabled={!state.limitMinutes.trim()}
          >
            <option value="business">business hours</option>
            <option value="calendar">calendar time</option>
          </select>
        </div>
        <p className="field-hint">
          {state.limitMinutes.trim() && Number.isInteger(minutes) && minutes > 0
            ? `${duration(minutes)} of ${state.clock === 'business' ? 'business hours' : 'calendar time'}; overdue tickets are escalated once.`
            : 'Leave empty for no limit.'}
        </p>
        <FieldMessage errors={errors} path={`${base}.timeLimit`} nested />
      </fieldset>
      <div className="checkbox-field">
        <input
          id={errors.id(`${base}.start`)}
          type="radio"
          name={`${errors.form}-start`}
          checked={isStart}
          onChange={(e) => {
            if (e.target.checked) onStart();
          }}
        />
        <label htmlFor={errors.id(`${base}.start`)}>Start state</label>
        <span className="muted small">Tickets enter here.</span>
      </div>
      <CheckboxField
        label="Final state"
        errors={errors}
        path={`${base}.final`}
        checked={state.final}
        onChange={(final) => onChange({ final })}
        hint="Reaching it completes the blueprint."
      />
      {out.length + into.length > 0 ? (
        <div className="bp-links">
          {out.length > 0 ? (
            <p className="small">
              <span className="muted">Out:</span>{' '}
              {out.map((t, i) => (
                <span key={t.key}>
                  {i > 0 ? ', ' : ''}
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => onSelect({ kind: 'transition', key: t.key })}
                  >
                    {t.name || t.id}
                  </button>{' '}
                  → {nameOf(t.to)}
                </span>
              ))}
            </p>
          ) : null}
          {into.length > 0 ? (
            <p className="small">
              <span className="muted">In:</span>{' '}
              {into.map((t, i) => (
                <span key={t.key}>
                  {i > 0 ? ', ' : ''}
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => onSelect({ kind: 'transition', key: t.key })}
                  >
                    {t.name || t.id}
                  </button>{' '}
                  from {nameOf(t.from)}
                </span>
              ))}
            </p>
          ) : null}
        </div>
      ) : null}
      <button type="button" className="btn btn-ghost btn-sm bp-remove" onClick={onRemove}>
        Delete state
      </button>
    </div>
  );
}

function TransitionPanel({
  transition: t,
  draft,
  errors,
  onChange,
  onRemove,
  onFocusLater,
}: {
  transition: TransitionDraft;
  draft: Draft;
  errors: FormErrors;
  onChange(change: Partial<TransitionDraft>): void;
  onRemove(): void;
  onFocusLater(path: string): void;
}) {
  const directory = useDirectory();
  const base = `transition.${t.key}`;
  const takenIds = draft.transitions.filter((x) => x.key !== t.key).map((x) => x.id);
  const departmentName = (id: string) => directory.departmentName(id);
  const teams = directory.teams.filter((team) => team.active || t.teamIds.includes(team.id));
  const departments = directory.departments.filter((d) => d.active || t.departmentIds.includes(d.id));
  const setField = (key: number, change: Partial<FieldDraft>) =>
    onChange({ fields: t.fields.map((f) => (f.key === key ? { ...f, ...change } : f)) });

  return (
    <div className="bp-side-body">
      <p className="bp-side-title">Transition</p>
      <FieldMessage errors={errors} path={base} />
      <div className="field">
        <label htmlFor={errors.id(`${base}.name`)}>Transition name</label>
        <input
          {...errors.control(`${base}.name`)}
          value={t.name}
          onChange={(e) => {
            const name = e.target.value;
            onChange(t.idAuto ? { name, id: unique(slug(name, 'transition'), takenIds) } : { name });
          }}
          autoComplete="off"
        />
        <FieldMessage errors={errors} path={`${base}.name`} />
      </div>
      <div className="field">
        <label htmlFor={errors.id(`${base}.id`)}>Transition ID</label>
        <input
          {...errors.control(`${base}.id`)}
          className="mono"
          value={t.id}
          readOnly={t.published}
          onChange={(e) => onChange({ id: e.target.value, idAuto: false })}
          autoComplete="off"
          spellCheck={false}
        />
        <FieldMessage errors={errors} path={`${base}.id`} />
      </div>
      <div className="bp-inline">
        <div className="field">
          <label htmlFor={errors.id(`${base}.from`)}>From</label>
          <select
            {...errors.control(`${base}.from`)}
            value={t.from}
            onChange={(e) => onChange({ from: Number(e.target.value) })}
          >
            {draft.states.map((s) => (
              <option key={s.key} value={s.key}>
                {s.name || s.id}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={errors.id(`${base}.to`)}>To</label>
          <select
            {...errors.control(`${base}.to`)}
            value={t.to}
            onChange={(e) => onChange({ to: Number(e.target.value) })}
          >
            {draft.states.map((s) => (
              <option key={s.key} value={s.key}>
                {s.name || s.id}
              </option>
            ))}
          </select>
        </div>
      </div>
      <FieldMessage errors={errors} path={`${base}.from`} />
      <FieldMessage errors={errors} path={`${base}.to`} />

      <fieldset className="field bp-performers" {...errors.group(`${base}.performers`, true)}>
        <legend className="subsection-title">Performers</legend>
        <p className="field-hint">Anyone in one of the chosen teams, departments or roles may perform it.</p>
        <FieldMessage errors={errors} path={`${base}.performers`} nested />
        <CheckboxGroup
          legend="Teams"
          errors={errors}
          path={`${base}.performers.teams`}
          options={teams.map((team) => ({
            value: team.id,
            label: `${team.name} (${departmentName(team.departmentId)})`,
          }))}
          selected={t.teamIds}
          onChange={(teamIds) => onChange({ teamIds })}
          none="No team"
        />
        <CheckboxGroup
          legend="Departments"
          errors={errors}
          path={`${base}.performers.departments`}
          options={departments.map((d) => ({ value: d.id, label: d.name }))}
          selected={t.departmentIds}
          onChange={(departmentIds) => onChange({ departmentIds })}
          none="No department"
        />
        <CheckboxGroup
          legend="Roles"
          errors={errors}
          path={`${base}.performers.roles`}
          options={ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }))}
          selected={t.roles}
          onChange={(roles) => onChange({ roles: roles as Role[] })}
          none="No role"
        />
        {t.agentIds.length > 0 ? (
          <p className="muted small">
            Also: {t.agentIds.map((a) => directory.agentName(a)).join(', ')} (kept as set through the API).
          </p>
        ) : null}
      </fieldset>

      <fieldset className="field" {...errors.group(`${base}.requiredFields`)}>
        <legend className="subsection-title">Required fields</legend>
        <FieldMessage errors={errors} path={`${base}.requiredFields`} />
        {t.fields.length === 0 ? <p className="muted small">The performer fills in nothing.</p> : null}
        <ol className="bp-field-list">
          {t.fields.map((f, i) => {
            const path = `${base}.requiredFields.${f.key}`;
            const label = `Field ${i + 1}`;
            return (
              <li key={f.key} className="bp-field-row">
                <div className="bp-inline">
                  <input
                    {...errors.control(`${path}.label`)}
                    value={f.label}
                    onChange={(e) => {
                      const text = e.target.value;
                      setField(f.key, f.idAuto ? { label: text, fieldId: fieldSlug(text) } : { label: text });
                    }}
                    aria-label={`${label}: label`}
                    placeholder="Label"
                    autoComplete="off"
                  />
                  <select
                    {...errors.control(`${path}.type`)}
                    value={f.type}
                    onChange={(e) => setField(f.key, { type: e.target.value as RequiredField['type'] })}
                    aria-label={`${label}: type`}
                  >
                    {FIELD_TYPES.map((type) => (
                      <option key={type} value={type}>
                        {FIELD_TYPE_LABEL[type]}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="bp-inline">
                  <input
                    {...errors.control(`${path}.fieldId`)}
                    className="mono"
                    value={f.fieldId}
                    onChange={(e) => setField(f.key, { fieldId: e.target.value, idAuto: false })}
                    aria-label={`${label}: ID`}
                    placeholder="field_id"
                    autoComplete="off"
                    spellCheck={false}
                  />
                  <button
                    type="button"
                    className="btn btn-ghost btn-sm icon-button"
                    onClick={() => onChange({ fields: t.fields.filter((x) => x.key !== f.key) })}
                    aria-label={`Remove ${label.toLowerCase()}`}
                  >
                    ×
                  </button>
                </div>
                {f.type === 'picklist' ? (
                  <textarea
                    {...errors.control(`${path}.options`)}
                    rows={3}
                    value={f.options}
                    onChange={(e) => setField(f.key, { options: e.target.value })}
                    aria-label={`${label}: options, one per line`}
                    placeholder="One option per line"
                  />
                ) : null}
                <FieldMessage errors={errors} path={path} nested />
              </li>
            );
          })}
        </ol>
        <button
          type="button"
          className="btn btn-secondary btn-sm bp-add-field"
          onClick={() => {
            const key = newKey();
            onChange({
              fields: [...t.fields, { key, fieldId: '', idAuto: true, label: '', type: 'text', options: '' }],
            });
            onFocusLater(`${base}.requiredFields.${key}.label`);
          }}
        >
          Add field
        </button>
      </fieldset>

      <CheckboxField
        label="Require a note"
        errors={errors}
        path={`${base}.requireNote`}
        checked={t.requireNote}
        onChange={(requireNote) => onChange({ requireNote })}
      />

      <fieldset className="field" {...errors.group(`${base}.actions`, true)}>
        <legend className="subsection-title">Afterwards</legend>
        <div className="checkbox-field">
          <input
            id={errors.id(`${base}.notify`)}
            type="checkbox"
            checked={t.notifyCustomer}
            onChange={(e) => onChange({ notifyCustomer: e.target.checked })}
          />
          <label htmlFor={errors.id(`${base}.notify`)}>Notify the customer</label>
        </div>
        {t.notifyCustomer ? (
          <>
            <div className="field">
              <label htmlFor={errors.id(`${base}.subject`)}>Email subject</label>
              <input
                id={errors.id(`${base}.subject`)}
                value={t.subject}
                onChange={(e) => onChange({ subject: e.target.value })}
                autoComplete="off"
              />
            </div>
            <div className="field">
              <label htmlFor={errors.id(`${base}.body`)}>Email message</label>
              <textarea
                id={errors.id(`${base}.body`)}
                rows={4}
                value={t.body}
                onChange={(e) => onChange({ body: e.target.value })}
              />
            </div>
          </>
        ) : null}
        {t.otherActions.length > 0 ? (
          <p className="muted small">
            Also kept as set through the API:{' '}
            {t.otherActions
              .map((a) =>
                a.type === 'set_field'
                  ? `set ${a.fieldId}`
                  : a.type === 'set_priority'
                    ? `priority ${a.priority}`
                    : `notify ${typeof a.to === 'string' ? a.to.replace('_', ' ') : 'teamId' in a.to ? directory.teamName(a.to.teamId) : directory.agentName(a.to.agentId)}`,
              )
              .join(', ')}
            .
          </p>
        ) : null}
        <FieldMessage errors={errors} path={`${base}.actions`} nested />
      </fieldset>
      <button type="button" className="btn btn-ghost btn-sm bp-remove" onClick={onRemove}>
        Delete transition
      </button>
    </div>
  );
}
