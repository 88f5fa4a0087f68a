import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { get, isAbort, messageOf } from '../api/client.js';
import type { SlaRecord, Ticket, TicketSla } from '../api/types.js';
import { loadSlaPolicies, orderedTargets, SLA_KIND_LABEL } from '../lib/sla.js';
import { Spinner } from './Feedback.js';
import { SlaBadge } from './SlaBadge.js';

/**
 * The server reconciles the SLA record from the ticket's change stream, a
 * moment after a change; a reply and the status change it brings arrive as
 * separate events. So after the ticket changes the panel loads at once, then
 * looks again twice, and a few more times while the record still reflects an
 * older ticket version (or a new ticket has none yet).
 */
const FOLLOW_UPS_MS = [1000, 2500];
const CATCH_UP_MS = [1000, 2000, 4000];
/** A ticket this young may have no SLA record yet because the stream has not reached it. */
const NEW_TICKET_MS = 60_000;

/**
 * The ticket's SLA: each target with a countdown badge and the policy's name.
 * Loads again whenever the ticket changes (a reply, a status change). Between
 * loads the badges count down from `now` alone.
 */
export function SlaPanel({ ticket, now }: { ticket: Ticket; now: number }) {
  const id = useId();
  const [sla, setSla] = useState<SlaRecord | null>();
  const [policyName, setPolicyName] = useState<string>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const path = `/tickets/${encodeURIComponent(ticket.id)}/sla`;
  const version = ticket.version;
  const createdAt = ticket.createdAt;
  const timer = useRef<number | undefined>(undefined);
  const firstVersion = useRef(version);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  useEffect(() => {
    void attempt;
    const controller = new AbortController();
    // On the first load there is nothing to wait for; after a change, the stream may still be on its way.
    const changed = firstVersion.current !== version;
    let step = 0;
    let catchUps = 0;
    const load = async () => {
      setLoading(true);
      try {
        const { sla: record } = await get<TicketSla>(path, controller.signal);
        setSla(record);
        setError(undefined);
        // Behind: the record predates this ticket version, or a young ticket has none yet.
        const behind =
          record === null
            ? Date.now() - Date.parse(createdAt) < NEW_TICKET_MS
            : record.ticketVersion < version;
        let delay: number | undefined;
        if (changed && step < FOLLOW_UPS_MS.length) delay = FOLLOW_UPS_MS[step];
        else if (behind) delay = CATCH_UP_MS[catchUps++];
        step += 1;
        if (delay !== undefined) {
          timer.current = window.setTimeout(() => void load(), delay);
          if (!behind) setLoading(false);
          return;
        }
      } catch (e) {
        if (isAbort(e)) return;
        setError(messageOf(e));
      }
      setLoading(false);
    };
    void load();
    return () => {
      controller.abort();
      window.clearTimeout(timer.current);
    };
  }, [path, version, createdAt, attempt]);

  const policyId = sla?.applied.policyId;
  useEffect(() => {
    if (!policyId) return;
    let current = true;
    loadSlaPolicies().then(
      (items) => {
        if (current) setPolicyName(items.find((p) => p.policy.id === policyId)?.policy.name ?? policyId);
      },
      () => {
        if (current) setPolicyName(policyId);
      },
    );
    return () => {
      current = false;
    };
  }, [policyId]);

  const targets = sla ? orderedTargets(sla) : [];

  return (
    <section className="panel sla-panel" aria-labelledby={`${id}-title`} aria-busy={loading}>
      <div className="panel-header">
        <h2 className="panel-title" id={`${id}-title`}>
          SLA
        </h2>
        {loading && sla !== undefined ? <Spinner size="sm" /> : null}
      </div>
      {error && sla === undefined ? (
        <p className="muted small">
          The SLA could not be loaded: {error}{' '}
          <button type="button" className="link-button" onClick={retry}>
            Retry
          </button>
        </p>
      ) : sla === undefined ? (
        <span className="skeleton" aria-hidden="true" style={{ width: '70%' }} />
      ) : sla === null ? (
        <p className="muted small">No SLA policy applies to this ticket.</p>
      ) : (
        <>
          <p className="sla-policy small">
            <span className="muted">Policy</span> <strong>{policyName ?? sla.applied.policyId}</strong>
          </p>
          {targets.length === 0 ? (
            <p className="muted small">The policy sets no targets for this ticket's priority.</p>
          ) : (
            <dl className="sla-targets">
              {targets.map((target) => (
                <div key={target.kind} className="sla-target">
                  <dt>{SLA_KIND_LABEL[target.kind]}</dt>
                  <dd>
                    <SlaBadge target={target} now={now} />
                  </dd>
                </div>
              ))}
            </dl>
          )}
        </>
      )}
    </section>
  );
}
