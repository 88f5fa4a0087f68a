import type { ReactNode } from 'react';
import type { Change, TimelineEntry } from '../api/types.js';
import type { Directory } from '../lib/directory.js';
import { CHANNEL_LABEL, fullTime, PRIORITY_LABEL, relativeTime, STATUS_LABEL } from '../lib/format.js';
import { Avatar } from './Badges.js';

export function Timeline({
  entries,
  directory,
  now,
}: {
  entries: TimelineEntry[];
  directory: Directory;
  now: number;
}) {
  return (
    <ol className="timeline" aria-label="Timeline">
      {entries.map((entry) => (
        <li key={entry.id}>
          {entry.kind === 'event' ? (
            <EventEntry entry={entry} directory={directory} now={now} />
          ) : (
            <MessageEntry entry={entry} directory={directory} now={now} />
          )}
        </li>
      ))}
    </ol>
  );
}

function authorName(entry: TimelineEntry, directory: Directory): string {
  if (entry.author.name) return entry.author.name;
  if (entry.author.type === 'agent') return directory.agentName(entry.author.id);
  if (entry.author.type === 'system') return 'System';
  return 'Customer';
}

function When({ iso, now }: { iso: string; now: number }) {
  return (
    <time className="tl-time" dateTime={iso} title={fullTime(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}

const KIND_LABEL: Record<Exclude<TimelineEntry['kind'], 'event'>, string> = {
  customer: 'Customer message',
  reply: 'Reply',
  note: 'Internal note',
  notification: 'Automatic email',
  system: 'System message',
};

function MessageEntry({
  entry,
  directory,
  now,
}: {
  entry: TimelineEntry;
  directory: Directory;
  now: number;
}) {
  const kind = entry.kind as Exclude<TimelineEntry['kind'], 'event'>;
  const name = authorName(entry, directory);
  const headingId = `entry-${entry.id}`;
  return (
    <article className={`tl-message tl-${kind}`} data-kind={kind} aria-labelledby={headingId}>
      <Avatar name={name} id={entry.author.id} />
      <div className="tl-card">
        <header className="tl-header">
          <h3 className="tl-author" id={headingId}>
            <span className="visually-hidden">{KIND_LABEL[kind]} from </span>
            {name}
          </h3>
          {kind === 'note' ? (
            <span className="pill pill-note">Internal note</span>
          ) : kind === 'reply' ? (
            <span className="pill pill-reply">Public reply</span>
          ) : (
            <span className="pill pill-customer">
              Customer{entry.channel ? ` · ${CHANNEL_LABEL[entry.channel]}` : ''}
            </span>
          )}
          <When iso={entry.createdAt} now={now} />
        </header>
        <div className="tl-body">{entry.body}</div>
      </div>
    </article>
  );
}

function EventEntry({ entry, directory, now }: { entry: TimelineEntry; directory: Directory; now: number }) {
  const parts = entry.changes.map((change) => describeChange(change, directory));
  return (
    <article className="tl-event" data-kind="event">
      <span className="tl-event-dot" aria-hidden="true" />
      <p className="tl-event-text">
        <strong>{authorName(entry, directory)}</strong> {joinParts(parts)}
        <span aria-hidden="true"> · </span>
        <When iso={entry.createdAt} now={now} />
      </p>
    </article>
  );
}

function joinParts(parts: ReactNode[]): ReactNode {
  if (parts.length === 0) return 'updated the ticket';
  return parts.map((part, i) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: fixed order, never reordered
    <span key={i}>
      {i === 0 ? '' : i === parts.length - 1 ? ' and ' : ', '}
      {part}
    </span>
  ));
}

const FIELD_LABEL: Record<Change['field'], string> = {
  status: 'status',
  priority: 'priority',
  assigneeId: 'assignee',
  departmentId: 'department',
  teamId: 'team',
  tags: 'tags',
  customFields: 'custom fields',
  customerId: 'customer',
};

function valueText(field: Change['field'], value: unknown, directory: Directory): string {
  if (value === null || value === undefined || value === '') {
    return field === 'assigneeId' ? 'unassigned' : 'none';
  }
  const text = String(value);
  switch (field) {
    case 'status':
      return (STATUS_LABEL as Record<string, string>)[text]?.toLowerCase() ?? text;
    case 'priority':
      return (PRIORITY_LABEL as Record<string, string>)[text]?.toLowerCase() ?? text;
    case 'assigneeId':
      return directory.agentName(text);
    case 'departmentId':
      return directory.departmentName(text);
    case 'teamId':
      return directory.teamName(text);
    default:
      return text;
  }
}

function asList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function describeChange(change: Change, directory: Directory): ReactNode {
  if (change.field === 'tags') {
    const from = asList(change.from);
    const to = asList(change.to);
    const added = to.filter((t) => !from.includes(t));
    const removed = from.filter((t) => !to.includes(t));
    if (!added.length && !removed.length) return 'changed tags';
    return (
      <>
        {added.length ? <Tags verb="added" tags={added} /> : null}
        {added.length && removed.length ? ' and ' : null}
        {removed.length ? <Tags verb="removed" tags={removed} /> : null}
      </>
    );
  }
  if (change.field === 'customFields') return 'updated custom fields';
  if (change.field === 'customerId') return 'moved the ticket to another customer';
  if (change.field === 'assigneeId' && change.from === null && change.to) {
    return (
      <>
        assigned it to <em>{valueText('assigneeId', change.to, directory)}</em>
      </>
    );
  }
  return (
    <>
      changed {FIELD_LABEL[change.field]} from <em>{valueText(change.field, change.from, directory)}</em> to{' '}
      <em>{valueText(change.field, change.to, directory)}</em>
    </>
  );
}

function Tags({ verb, tags }: { verb: string; tags: string[] }) {
  return (
    <>
      {verb} tag{tags.length === 1 ? '' : 's'}{' '}
      {tags.map((tag) => (
        <span key={tag} className="tag tag-sm">
          {tag}
        </span>
      ))}
    </>
  );
}
