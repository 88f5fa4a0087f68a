import { useEffect, useState } from 'react';
import { get, isAbort, messageOf } from '../api/client.js';
import type { CustomerWithTickets, Identity, Ticket } from '../api/types.js';
import { fullTime, relativeTime, ticketNumber } from '../lib/format.js';
import { Link, ticketPath } from '../lib/router.js';
import { Avatar, StatusBadge } from './Badges.js';

/** The requester: how to reach them and their other tickets. */
export function CustomerPanel({ ticket, now }: { ticket: Ticket; now: number }) {
  const [data, setData] = useState<CustomerWithTickets>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    const controller = new AbortController();
    setError(undefined);
    get<CustomerWithTickets>(
      `/customers/${encodeURIComponent(ticket.customerId)}?limit=10`,
      controller.signal,
    ).then(setData, (e: unknown) => {
      if (!isAbort(e)) setError(messageOf(e));
    });
    return () => controller.abort();
  }, [ticket.customerId]);

  const customer = data?.customer;
  const name = customer?.name ?? ticket.requester.name ?? ticket.requester.email ?? 'Customer';
  const fallback: Identity[] = [];
  if (ticket.requester.email) fallback.push({ type: 'email', value: ticket.requester.email });
  if (ticket.requester.phone) fallback.push({ type: 'phone', value: ticket.requester.phone });
  const identities = customer?.identities ?? fallback;
  const others = data?.tickets.items.filter((t) => t.id !== ticket.id) ?? [];

  return (
    <section className="panel" aria-labelledby="customer-title">
      <div className="panel-header">
        <h2 className="panel-title" id="customer-title">
          Customer
        </h2>
      </div>
      <div className="customer-head">
        <Avatar name={name} id={ticket.customerId} size="lg" />
        <div className="customer-head-text">
          <p className="customer-name">{name}</p>
          {customer ? (
            <p className="muted small">
              Customer since{' '}
              <time title={fullTime(customer.createdAt)}>{relativeTime(customer.createdAt, now)}</time>
            </p>
          ) : null}
        </div>
      </div>
      {identities.length > 0 ? (
        <dl className="identity-list">
          {identities.map((identity) => (
            <div key={`${identity.type}:${identity.value}`} className="identity">
              <dt>{identity.type === 'email' ? 'Email' : identity.type === 'phone' ? 'Phone' : 'Social'}</dt>
              <dd>
                {identity.type === 'email' ? (
                  <a href={`mailto:${identity.value}`}>{identity.value}</a>
                ) : identity.type === 'phone' ? (
                  <a href={`tel:${identity.value}`}>{identity.value}</a>
                ) : (
                  identity.value
                )}
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
      {error ? <p className="muted small">Customer details are unavailable: {error}</p> : null}
      {data ? (
        <div className="customer-tickets">
          <h3 className="subheading">Other tickets</h3>
          {others.length === 0 ? (
            <p className="muted small">No other tickets from this customer.</p>
          ) : (
            <ul className="mini-ticket-list">
              {others.map((t) => (
                <li key={t.id}>
                  <Link to={ticketPath(t.id)} className="mini-ticket">
                    <span className="mini-ticket-top">
                      <span className="mono muted">{ticketNumber(t.number)}</span>
                      <StatusBadge status={t.status} />
                    </span>
                    <span className="mini-ticket-subject">{t.subject}</span>
                    <span className="muted small">{relativeTime(t.updatedAt, now)}</span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </section>
  );
}
