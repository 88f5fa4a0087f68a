import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiError, api, get, isAbort, messageOf } from '../api/client.js';
import type {
  BlueprintTransition,
  FieldError,
  RequiredField,
  Ticket,
  TicketBlueprint,
  TicketBlueprintResult,
  TransitionRequest,
} from '../api/types.js';
import { timeLeft } from '../lib/blueprints.js';
import { fullTime, relativeTime } from '../lib/format.js';
import { blueprintDashboardPath, Link } from '../lib/router.js';
import { Spinner } from './Feedback.js';

type FieldValue = string | boolean;

/**
 * The ticket's blueprint: the process, the current state and the time left in
 * it (counting down from the ticket's `deadlineAt`, red once overdue), and one
 * button per transition this agent may perform now. A button opens an inline
 * form with the transition's required fields (typed inputs) and a note when
 * required; the server checks them and its messages show at the fields.
 * Loads the run again whenever the ticket changes.
 */
export function BlueprintPanel({
  ticket,
  now,
  onMoved,
  onStale,
}: {
  ticket: Ticket;
  now: number;
  /** After a transition: the ticket the server answered with, and what happened, for the page to refresh. */
  onMoved(ticket: Ticket, message: string): Promise<void>;
  /** A transition was refused because the ticket changed meanwhile: load the ticket again. */
  onStale(): void;
}) {
  const id = useId();
  const summary = ticket.blueprint;
  const [data, setData] = useState<TicketBlueprint | null>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [openId, setOpenId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string>();
  const stateRef = useRef<HTMLElement>(null);
  const path = `/tickets/${encodeURIComponent(ticket.id)}/blueprint`;
  const version = ticket.version;

  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  useEffect(() => {
    void attempt;
    void version;
    const controller = new AbortController();
    setLoading(true);
    get<TicketBlueprintResult>(path, controller.signal).then(
      (result) => {
        setData(result.blueprint);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (isAbort(e)) return;
        setError(messageOf(e));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [path, version, attempt]);

  // A transition that is no longer available (the ticket moved on) closes its form.
  useEffect(() => {
    if (openId && data && !data.available.includes(openId)) setOpenId(null);
  }, [data, openId]);

  if (!summary) return null;
  const left = timeLeft(summary, now);
  const definition = data?.definition;
  const stateOf = (stateId: string) => definition?.states.find((s) => s.id === stateId);
  const available = (data?.available ?? [])
    .map((tid) => definition?.transitions.find((t) => t.id === tid))
    .filter((t): t is BlueprintTransition => t !== undefined);
  const waitingOn = definition
    ? definition.transitions.filter((t) => t.from === summary.stateId && !data?.available.includes(t.id))
    : [];
  const open = available.find((t) => t.id === openId);

  const done = async (next: Ticket, transition: BlueprintTransition) => {
    const to = stateOf(transition.to)?.name ?? transition.to;
    const message = `${transition.name}: moved to “${to}”`;
    setOpenId(null);
    setNotice(message);
    await onMoved(next, message);
    stateRef.current?.focus();
  };

  return (
    <section
      className="panel bp-panel"
      aria-labelledby={`${id}-title`}
      aria-busy={loading}
      data-completed={summary.completed}
    >
      <div className="panel-header">
        <h2 className="panel-title" id={`${id}-title`}>
          Blueprint
        </h2>
        {loading && data !== undefined ? <Spinner size="sm" /> : null}
      </div>
      <p className="bp-name">
        <Link to={blueprintDashboardPath(summary.blueprintId)} title="Open the blueprint's dashboard">
          {summary.name}
        </Link>{' '}
        <span className="muted small">version {summary.version}</span>
      </p>
      <dl className="bp-facts">
        <div className="bp-fact">
          <dt>State</dt>
          <dd>
            <strong className="bp-state" tabIndex={-1} ref={stateRef} data-state-id={summary.stateId}>
              {summary.stateName}
            </strong>
            {summary.completed ? <span className="pill pill-auto">Completed</span> : null}
          </dd>
        </div>
        <div className="bp-fact">
          <dt>{summary.completed ? 'Reached' : 'In this state'}</dt>
          <dd>
            <time dateTime={summary.enteredAt} title={fullTime(summary.enteredAt)}>
              {relativeTime(summary.enteredAt, now)}
            </time>
          </dd>
        </div>
        {summary.completed ? null : (
          <div className="bp-fact">
            <dt>Time left</dt>
            <dd>
              <span
                className={`bp-time${left.overdue ? ' is-overdue' : ''}`}
                data-overdue={left.overdue}
                title={left.title || undefined}
              >
                {left.text}
              </span>
            </dd>
          </div>
        )}
      </dl>
      <p className="visually-hidden" aria-live="polite">
        {notice}
      </p>
      {error && data === undefined ? (
        <p className="muted small">
          The blueprint could not be loaded: {error}{' '}
          <button type="button" className="link-button" onClick={retry}>
            Retry
          </button>
        </p>
      ) : summary.completed ? (
        <p className="muted small">This ticket has completed the blueprint; its status is free again.</p>
      ) : data === undefined ? (
        <span className="skeleton" aria-hidden="true" style={{ width: '60%' }} />
      ) : (
        <>
          {available.length > 0 ? (
            <fieldset className="bp-actions">
              <legend className="visually-hidden">Transitions</legend>
              {available.map((t) => (
                <button
                  key={t.id}
                  type="button"
                  className={`btn btn-sm ${t.id === openId ? 'btn-primary' : 'btn-secondary'}`}
                  aria-expanded={t.id === openId}
                  aria-controls={t.id === openId ? `${id}-form` : undefined}
                  onClick={() => setOpenId(t.id === openId ? null : t.id)}
                >
                  {t.name}
                </button>
              ))}
            </fieldset>
          ) : null}
          {available.length === 0 && waitingOn.length > 0 ? (
            <p className="muted small">
              Next: {waitingOn.map((t) => `“${t.name}”`).join(', ')}, which other agents perform.
            </p>
          ) : null}
          {open && data ? (
            <TransitionForm
              key={open.id}
              formId={`${id}-form`}
              ticketId={ticket.id}
              transition={open}
              toName={stateOf(open.to)?.name ?? open.to}
              stateId={data.run.stateId}
              onCancel={() => setOpenId(null)}
              onDone={(next) => done(next, open)}
              onStale={() => {
                retry();
                onStale();
              }}
            />
          ) : null}
        </>
      )}
    </section>
  );
}

/** The value the API expects for one required field, or undefined when left empty (the server names it). */
function valueFor(field: RequiredField, value: FieldValue | undefined): unknown {
  if (field.type === 'checkbox') return value === true ? true : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (field.type === 'number') {
    const n = Number(value);
    return Number.isFinite(n) ? n : value;
  }
  return value;
}

function TransitionForm({
  formId,
  ticketId,
  transition,
  toName,
  stateId,
  onCancel,
  onDone,
  onStale,
}: {
  formId: string;
  ticketId: string;
  transition: BlueprintTransition;
  toName: string;
  stateId: string;
  onCancel(): void;
  onDone(ticket: Ticket): Promise<void>;
  /** The ticket moved on or changed meanwhile: load the run again. */
  onStale(): void;
}) {
  const fields = transition.requiredFields ?? [];
  const [values, setValues] = useState<Record<string, FieldValue>>({});
  const [note, setNote] = useState('');
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<{ message: string; details: FieldError[] }>();
  const formRef = useRef<HTMLFormElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);

  // The keyboard lands in the form's first control.
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('input, select, textarea, button[type="submit"]')?.focus();
  }, []);

  /** The fields this form shows, whose errors appear next to them. */
  const placed = [...fields.map((f) => f.fieldId), ...(transition.requireNote ? ['note'] : [])];
  const messagesFor = (field: string) =>
    (problem?.details ?? []).filter((d) => d.field === field).map((d) => d.message);
  const controlId = (field: string) => `${formId}-${field}`;
  const describe = (field: string) =>
    messagesFor(field).length > 0
      ? { 'aria-invalid': true as const, 'aria-describedby': `${controlId(field)}-error` }
      : {};

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (sending) return;
    const body: TransitionRequest = { transition: transition.id, expectedStateId: stateId };
    const sent: Record<string, unknown> = {};
    for (const field of fields) {
      const value = valueFor(field, values[field.fieldId]);
      if (value !== undefined) sent[field.fieldId] = value;
    }
    if (fields.length > 0) body.fields = sent;
    if (note.trim()) body.note = note;
    setSending(true);
    setProblem(undefined);
    try {
      const result = await api<{ ticket: Ticket }>(
        'POST',
        `/tickets/${encodeURIComponent(ticketId)}/transitions`,
        { body },
      );
      await onDone(result.ticket);
    } catch (e) {
      const details = e instanceof ApiError ? e.details : [];
      setProblem({ message: messageOf(e), details });
      if (e instanceof ApiError && (e.status === 409 || e.status === 412 || e.status === 403)) onStale();
      const firstBad = details.find((d) => document.getElementById(controlId(d.field)));
      if (firstBad) document.getElementById(controlId(firstBad.field))?.focus();
      else requestAnimationFrame(() => alertRef.current?.focus());
    } finally {
      setSending(false);
    }
  };

  const fieldMessage = (field: string) => {
    const messages = messagesFor(field);
    return messages.length > 0 ? (
      <p className="field-error" id={`${controlId(field)}-error`}>
        {messages.join('; ')}
      </p>
    ) : null;
  };

  return (
    <form
      ref={formRef}
      className="bp-form"
      id={formId}
      onSubmit={submit}
      noValidate
      aria-label={`${transition.name}: move to ${toName}`}
    >
      <p className="bp-form-title">
        <strong>{transition.name}</strong> <span aria-hidden="true">→</span>
        <span className="visually-hidden">moves the ticket to</span> {toName}
      </p>
      {problem ? (
        <div className="alert alert-error" role="alert" tabIndex={-1} ref={alertRef}>
          <div className="alert-body">
            {problem.details.length > 0 && problem.details.every((d) => placed.includes(d.field))
              ? `“${transition.name}” cannot be done yet: fix the highlighted ${problem.details.length === 1 ? 'field' : 'fields'}.`
              : problem.message}
          </div>
        </div>
      ) : null}
      {fields.map((field) => {
        const cid = controlId(field.fieldId);
        const value = values[field.fieldId];
        const set = (v: FieldValue) => setValues((all) => ({ ...all, [field.fieldId]: v }));
        if (field.type === 'checkbox') {
          return (
            <div key={field.fieldId} className="field">
              <div className="checkbox-field">
                <input
                  id={cid}
                  type="checkbox"
                  checked={value === true}
                  onChange={(e) => set(e.target.checked)}
                  {...describe(field.fieldId)}
                />
                <label htmlFor={cid}>{field.label}</label>
              </div>
              {fieldMessage(field.fieldId)}
            </div>
          );
        }
        return (
          <div key={field.fieldId} className="field">
            <label htmlFor={cid}>{field.label}</label>
            {field.type === 'picklist' ? (
              <select
                id={cid}
                value={typeof value === 'string' ? value : ''}
                onChange={(e) => set(e.target.value)}
                {...describe(field.fieldId)}
              >
                <option value="">Choose…</option>
                {(field.options ?? []).map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={cid}
                type={field.type === 'text' ? 'text' : field.type}
                inputMode={field.type === 'number' ? 'decimal' : undefined}
                step={field.type === 'number' ? 'any' : undefined}
                value={typeof value === 'string' ? value : ''}
                onChange={(e) => set(e.target.value)}
                autoComplete="off"
                {...describe(field.fieldId)}
              />
            )}
            {fieldMessage(field.fieldId)}
          </div>
        );
      })}
      {transition.requireNote ? (
        <div className="field">
          <label htmlFor={controlId('note')}>Note (required)</label>
          <textarea
            id={controlId('note')}
            rows={3}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            placeholder="Why? Only agents see this note."
            {...describe('note')}
          />
          {fieldMessage('note')}
        </div>
      ) : null}
      {fields.length === 0 && !transition.requireNote ? (
        <p className="muted small">Nothing to fill in.</p>
      ) : null}
      <div className="bp-form-actions">
        <button type="submit" className="btn btn-primary btn-sm" disabled={sending}>
          {sending ? <Spinner size="sm" /> : null}
          Move to {toName}
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onCancel} disabled={sending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
