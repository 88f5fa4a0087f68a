import type { CSSProperties } from 'react';
import type { Priority, TicketStatus } from '../api/types.js';
import { hueOf, initials, PRIORITY_LABEL, STATUS_LABEL } from '../lib/format.js';

export function StatusBadge({ status }: { status: TicketStatus }) {
  return <span className={`badge status-${status}`}>{STATUS_LABEL[status]}</span>;
}

export function PriorityTag({ priority }: { priority: Priority }) {
  return (
    <span className={`priority priority-${priority}`}>
      <span className="priority-bars" aria-hidden="true">
        <span />
        <span />
        <span />
      </span>
      {PRIORITY_LABEL[priority]}
    </span>
  );
}

export function Avatar({
  name,
  id,
  size = 'md',
}: {
  name: string | null;
  id: string;
  size?: 'sm' | 'md' | 'lg';
}) {
  return (
    <span
      className={`avatar avatar-${size}`}
      style={{ '--avatar-hue': hueOf(id) } as CSSProperties}
      aria-hidden="true"
    >
      {initials(name)}
    </span>
  );
}
