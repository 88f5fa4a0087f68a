import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { ApiError, api, messageOf } from '../api/client.js';
import type { FieldError, SavedViewItem, ViewFilters } from '../api/types.js';
import { useDirectory } from '../lib/directory.js';
import { navigate } from '../lib/router.js';
import { useToast } from '../lib/toast.js';
import { describeFilters, refreshViews, viewPath } from '../lib/views.js';
import { Alert, Spinner } from './Feedback.js';

/** A new view's id: a slug of its name plus a random suffix (ids are chosen by the client, PUT creates). */
function newViewId(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  const suffix = Math.random().toString(36).slice(2, 8);
  return `${slug || 'view'}-${suffix}`;
}

/**
 * "Save as view": names the inbox's current filters as a view (`PUT
 * /views/{id}`), personal, or shared with the desk by a supervisor or admin.
 * A modal dialog; Esc or Cancel closes it.
 */
export function SaveViewDialog({
  filters,
  suggestedName,
  onClose,
}: {
  filters: ViewFilters;
  suggestedName: string;
  onClose(): void;
}) {
  const id = useId();
  const directory = useDirectory();
  const notify = useToast();
  const ref = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState(suggestedName);
  const [scope, setScope] = useState<'personal' | 'shared'>('personal');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<{ message: string; details: FieldError[] }>();
  const mayShare = directory.me.role === 'admin' || directory.me.role === 'supervisor';

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const nameError = error?.details.find((d) => d.field === 'name')?.message;
  const otherDetails = error?.details.filter((d) => d.field !== 'name') ?? [];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setError({ message: 'Name the view', details: [{ field: 'name', message: 'A view needs a name' }] });
      return;
    }
    setSaving(true);
    setError(undefined);
    const viewId = newViewId(trimmed);
    try {
      await api<SavedViewItem>('PUT', `/views/${encodeURIComponent(viewId)}`, {
        // The owner of a personal view is whoever saves it (the server takes it from the token).
        body: { name: trimmed, scope, filters, sort: 'updated' },
      });
      notify(`View “${trimmed}” saved`);
      await refreshViews();
      ref.current?.close();
      navigate(viewPath(viewId));
    } catch (e) {
      setError(
        e instanceof ApiError
          ? { message: e.message, details: e.details }
          : { message: messageOf(e), details: [] },
      );
      setSaving(false);
    }
  };

  return (
    // The dialog element's close (Esc, Cancel, after saving) unmounts it.
    <dialog ref={ref} className="dialog save-view-dialog" aria-labelledby={`${id}-title`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <div className="dialog-header">
          <h2 id={`${id}-title`}>Save as view</h2>
        </div>
        <div className="form-stack dialog-body">
          <p className="muted small" id={`${id}-filters`}>
            {describeFilters(filters, {
              agent: directory.agentName,
              department: directory.departmentName,
              team: directory.teamName,
            })}
          </p>
          <div className="field">
            <label htmlFor={`${id}-name`}>Name</label>
            <input
              id={`${id}-name`}
              type="text"
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={200}
              required
              aria-invalid={nameError ? true : undefined}
              aria-describedby={nameError ? `${id}-name-error` : `${id}-filters`}
              autoComplete="off"
            />
            {nameError ? (
              <p className="field-error" id={`${id}-name-error`}>
                {nameError}
              </p>
            ) : null}
          </div>
          <fieldset className="field">
            <legend className="field-label">Who sees it</legend>
            <div className="checkbox-group">
              <label className="radio-option">
                <input
                  type="radio"
                  name={`${id}-scope`}
                  value="personal"
                  checked={scope === 'personal'}
                  onChange={() => setScope('personal')}
                />
                Only me
              </label>
              {mayShare ? (
                <label className="radio-option">
                  <input
                    type="radio"
                    name={`${id}-scope`}
                    value="shared"
                    checked={scope === 'shared'}
                    onChange={() => setScope('shared')}
                  />
                  Everyone on the desk
                </label>
              ) : null}
            </div>
          </fieldset>
          {error && (!nameError || otherDetails.length > 0) ? (
            <Alert details={otherDetails}>{error.message}</Alert>
          ) : null}
        </div>
        <div className="dialog-footer">
          <button type="button" className="btn btn-ghost" onClick={() => ref.current?.close()}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={saving}>
            {saving ? <Spinner size="sm" /> : null}
            Save view
          </button>
        </div>
      </form>
    </dialog>
  );
}
