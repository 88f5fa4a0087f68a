import { lazy, Suspense, useId } from 'react';
import type { CustomFieldValue, Ticket, TicketPatch } from '../api/types.js';
import type { Directory } from '../lib/directory.js';
import { layoutEntries, useFieldSetup } from '../lib/fields.js';
import { canMoveStatus, PRIORITIES, PRIORITY_LABEL, STATUS_LABEL, STATUSES } from '../lib/format.js';
import { Spinner } from './Feedback.js';
import { TagsEditor } from './TagsEditor.js';

// Custom-field inputs load only for a department whose layout has fields.
const CustomFields = lazy(() => import('./CustomFields.js').then((m) => ({ default: m.CustomFields })));

/**
 * Status, priority, assignment, tags and the department's custom fields; every change is saved at
 * once (PATCH with If-Match). `statusLock`: why the status cannot be changed here (the ticket follows
 * a blueprint). `fieldErrors`: the server's objections to custom-field values, by field id.
 */
export function TicketProperties({
  ticket,
  directory,
  saving,
  onPatch,
  onSaveFields,
  fieldErrors = {},
  statusLock,
}: {
  ticket: Ticket;
  directory: Directory;
  saving: boolean;
  onPatch(patch: TicketPatch): void;
  onSaveFields?(values: Record<string, CustomFieldValue>): Promise<boolean>;
  fieldErrors?: Record<string, string>;
  statusLock?: string | undefined;
}) {
  const id = useId();
  const closed = ticket.status === 'closed';
  const fieldSetup = useFieldSetup();
  const hasFields = Boolean(fieldSetup && layoutEntries(fieldSetup, ticket.departmentId).length > 0);
  const teams = directory.teams.filter(
    (t) =>
      (t.active && (!ticket.departmentId || t.departmentId === ticket.departmentId)) ||
      t.id === ticket.teamId,
  );
  const agents = directory.agents.filter((a) => a.active || a.id === ticket.assigneeId);

  const changeDepartment = (value: string) => {
    const departmentId = value || null;
    const team = directory.teams.find((t) => t.id === ticket.teamId);
    const keepTeam = !team || !departmentId || team.departmentId === departmentId;
    onPatch(keepTeam ? { departmentId } : { departmentId, teamId: null });
  };

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <div className="panel-header">
        <h2 className="panel-title" id={`${id}-title`}>
          Ticket details
        </h2>
        <span className="save-state" aria-live="polite">
          {saving ? (
            <>
              <Spinner size="sm" /> Saving…
            </>
          ) : null}
        </span>
      </div>
      {closed ? <p className="muted small">This ticket is closed and can no longer be changed.</p> : null}
      <div className="form-stack">
        <div className="field">
          <label htmlFor={`${id}-status`}>Status</label>
          <select
            id={`${id}-status`}
            className="select-status"
            data-status={ticket.status}
            value={ticket.status}
            onChange={(e) => onPatch({ status: e.target.value as Ticket['status'] })}
            disabled={closed || Boolean(statusLock)}
            aria-describedby={statusLock ? `${id}-status-lock` : undefined}
          >
            {STATUSES.map((s) => (
              <option key={s} value={s} disabled={!canMoveStatus(ticket.status, s)}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
          {statusLock ? (
            <p className="field-hint" id={`${id}-status-lock`}>
              {statusLock}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={`${id}-priority`}>Priority</label>
          <select
            id={`${id}-priority`}
            value={ticket.priority}
            onChange={(e) => onPatch({ priority: e.target.value as Ticket['priority'] })}
            disabled={closed}
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {PRIORITY_LABEL[p]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <div className="field-label-row">
            <label htmlFor={`${id}-assignee`}>Assignee</label>
            {ticket.assigneeId !== directory.me.id && !closed ? (
              <button
                type="button"
                className="link-button"
                onClick={() => onPatch({ assigneeId: directory.me.id })}
              >
                Assign to me
              </button>
            ) : null}
          </div>
          <select
            id={`${id}-assignee`}
            value={ticket.assigneeId ?? ''}
            onChange={(e) => onPatch({ assigneeId: e.target.value || null })}
            disabled={closed}
          >
            <option value="">Unassigned</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
                {a.id === directory.me.id ? ' (you)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-department`}>Department</label>
          <select
            id={`${id}-department`}
            value={ticket.departmentId ?? ''}
            onChange={(e) => changeDepartment(e.target.value)}
            disabled={closed}
          >
            <option value="">No department</option>
            {directory.departments
              .filter((d) => d.active || d.id === ticket.departmentId)
              .map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-team`}>Team</label>
          <select
            id={`${id}-team`}
            value={ticket.teamId ?? ''}
            onChange={(e) => onPatch({ teamId: e.target.value || null })}
            disabled={closed || teams.length === 0}
          >
            <option value="">{teams.length === 0 ? 'No teams in this department' : 'No team'}</option>
            {teams.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <TagsEditor tags={ticket.tags} onChange={(tags) => onPatch({ tags })} disabled={closed} />
        {onSaveFields && hasFields ? (
          <Suspense fallback={null}>
            <CustomFields ticket={ticket} disabled={closed} errors={fieldErrors} onSave={onSaveFields} />
          </Suspense>
        ) : null}
      </div>
    </section>
  );
}
