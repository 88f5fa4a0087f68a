import { useState } from 'react';
import { ApiError } from '../api/client.js';
import type { FieldError, StoredMacro, Ticket } from '../api/types.js';
import { ticketNumber } from '../lib/format.js';
import { applyMacro } from '../lib/macros.js';
import { Link, ticketPath } from '../lib/router.js';
import { useToast } from '../lib/toast.js';
import { viewsChanged } from '../lib/views.js';
import { Alert } from './Feedback.js';
import { MacroPicker } from './MacroPicker.js';

interface Outcome {
  macroName: string;
  rows: { ticketId: string; label: string; ok: boolean; message: string }[];
}

/**
 * What the inbox offers for selected tickets: a macro applied to each of them
 * (`POST /macros/{id}/apply`), then the outcome per ticket (succeeded, or
 * failed with the reason). Tickets it failed on stay selected; the list
 * refreshes (`onApplied`). Loaded when the agent first selects a ticket.
 */
export function BulkActions({
  items,
  selected,
  onSelect,
  onApplied,
}: {
  items: readonly Ticket[];
  selected: ReadonlySet<string>;
  onSelect(next: ReadonlySet<string>): void;
  onApplied(): void;
}) {
  const notify = useToast();
  const [outcome, setOutcome] = useState<Outcome>();
  const [error, setError] = useState<{ message: string; details: FieldError[] }>();

  const apply = async (macro: StoredMacro['macro']) => {
    const ids = items.filter((t) => selected.has(t.id)).map((t) => t.id);
    if (ids.length === 0) return;
    const byId = new Map(items.map((t) => [t.id, t]));
    setError(undefined);
    try {
      const results = await applyMacro(macro.id, ids);
      const rows = results.map((r) => {
        const ticket = byId.get(r.ticketId);
        return {
          ticketId: r.ticketId,
          label: ticket ? `${ticketNumber(ticket.number)} ${ticket.subject}` : r.ticketId,
          ok: r.ok,
          message: r.ok ? 'Applied' : (r.error?.message ?? 'Failed'),
        };
      });
      setOutcome({ macroName: macro.name, rows });
      const failed = new Set(rows.filter((r) => !r.ok).map((r) => r.ticketId));
      onSelect(failed);
      notify(
        failed.size === 0
          ? `“${macro.name}” applied to ${rows.length} ticket${rows.length === 1 ? '' : 's'}`
          : `“${macro.name}”: ${rows.length - failed.size} succeeded, ${failed.size} failed`,
        failed.size === 0 ? 'success' : 'error',
      );
      onApplied();
      viewsChanged();
    } catch (e) {
      setError(
        e instanceof ApiError
          ? { message: e.message, details: e.details }
          : { message: e instanceof Error ? e.message : String(e), details: [] },
      );
    }
  };

  const failed = outcome?.rows.filter((r) => !r.ok).length ?? 0;
  return (
    <>
      {selected.size > 0 ? (
        <section className="bulk-bar" aria-label="Selected tickets">
          <span className="bulk-count" aria-live="polite">
            {selected.size} selected
          </span>
          <MacroPicker
            onApply={apply}
            buttonLabel="Apply to selected"
            label="Macro for the selected tickets"
          />
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => onSelect(new Set())}>
            Clear selection
          </button>
        </section>
      ) : null}
      {error ? (
        <Alert details={error.details} onDismiss={() => setError(undefined)}>
          The macro was not applied: {error.message}
        </Alert>
      ) : null}
      {outcome ? (
        <Alert tone={failed ? 'warning' : 'info'} onDismiss={() => setOutcome(undefined)}>
          <p>
            <strong>“{outcome.macroName}”</strong>: {outcome.rows.length - failed} succeeded
            {failed ? `, ${failed} failed` : ''}
          </p>
          <ul className="bulk-results" aria-label="Result per ticket">
            {outcome.rows.map((row) => (
              <li key={row.ticketId} data-ok={row.ok}>
                <Link to={ticketPath(row.ticketId)}>{row.label}</Link>
                {' — '}
                <span className={row.ok ? 'bulk-ok' : 'bulk-failed'}>
                  {row.ok ? 'succeeded' : `failed: ${row.message}`}
                </span>
              </li>
            ))}
          </ul>
        </Alert>
      ) : null}
    </>
  );
}
