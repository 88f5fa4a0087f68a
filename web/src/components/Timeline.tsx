import { type ReactNode, useId, useState } from 'react';
import type { Change, EmailMeta, TimelineEntryView, TimelineKind } from '../api/types.js';
import type { Directory } from '../lib/directory.js';
import {
  CHANNEL_LABEL,
  fileSize,
  fullTime,
  PRIORITY_LABEL,
  relativeTime,
  STATUS_LABEL,
} from '../lib/format.js';
import { Avatar } from './Badges.js';

type Entry = TimelineEntryView;
type MessageKind = Exclude<TimelineKind, 'event'>;

export function Timeline({
  entries,
  directory,
  now,
}: {
  entries: Entry[];
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

function authorName(entry: Entry, directory: Directory): string {
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

const KIND_LABEL: Record<MessageKind, string> = {
  customer: 'Customer message',
  reply: 'Reply',
  note: 'Internal note',
  notification: 'Automatic email',
  system: 'System message',
};

function KindPill({ entry, kind }: { entry: Entry; kind: MessageKind }) {
  switch (kind) {
    case 'note':
      return <span className="pill pill-note">Internal note</span>;
    case 'reply':
      return <span className="pill pill-reply">Public reply</span>;
    case 'notification':
      return <span className="pill pill-auto">Automatic email</span>;
    case 'system':
      return <span className="pill pill-system">System</span>;
    default:
      return (
        <span className="pill pill-customer">
          Customer{entry.channel ? ` · ${CHANNEL_LABEL[entry.channel]}` : ''}
        </span>
      );
  }
}

function MessageEntry({ entry, directory, now }: { entry: Entry; directory: Directory; now: number }) {
  const kind = entry.kind as MessageKind;
  const name = authorName(entry, directory);
  const headingId = `entry-${entry.id}`;
  const email = entry.email;
  const files = (entry.attachments ?? []).filter((a) => !a.inline);
  const dropped = email?.dropped ?? [];
  const blocked = email?.blockedRemoteImages ?? 0;
  const inboundProblem = email?.direction === 'in' ? email.failure : null;
  return (
    <article className={`tl-message tl-${kind}`} data-kind={kind} aria-labelledby={headingId}>
      <Avatar name={name} id={entry.author.id} />
      <div className="tl-card">
        <header className="tl-header">
          <h3 className="tl-author" id={headingId}>
            <span className="visually-hidden">{KIND_LABEL[kind]} from </span>
            {name}
          </h3>
          <KindPill entry={entry} kind={kind} />
          <When iso={entry.createdAt} now={now} />
        </header>
        {email ? <EmailFacts email={email} kind={kind} now={now} /> : null}
        {blocked > 0 && entry.html ? (
          <p className="tl-notice" role="note">
            {blocked} remote image{blocked === 1 ? '' : 's'} blocked
          </p>
        ) : null}
        <MessageBody entry={entry} />
        {files.length > 0 ? (
          <ul className="tl-files" aria-label="Attachments">
            {files.map((file) => (
              <li key={file.id}>
                {file.url ? (
                  <a className="tl-file" href={file.url} download={file.name} rel="noopener">
                    <PaperclipIcon />
                    <span className="tl-file-name">{file.name}</span>
                    <span className="tl-file-size">{fileSize(file.size)}</span>
                  </a>
                ) : (
                  <span className="tl-file is-unavailable" title="No download link is available">
                    <PaperclipIcon />
                    <span className="tl-file-name">{file.name}</span>
                    <span className="tl-file-size">{fileSize(file.size)}</span>
                  </span>
                )}
              </li>
            ))}
          </ul>
        ) : null}
        {dropped.length > 0 || inboundProblem ? (
          <ul className="tl-problems" aria-label="Problems with this email">
            {dropped.map((file, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: two dropped files may share a name
              <li key={i}>
                File <strong>{file.name}</strong> ({fileSize(file.size)}) not stored: {file.reason}
              </li>
            ))}
            {inboundProblem ? <li>{capitalise(inboundProblem)}</li> : null}
          </ul>
        ) : null}
        {entry.rawUrl ? (
          <p className="tl-tools">
            <a
              href={entry.rawUrl}
              download
              rel="noopener"
              title="Download the message exactly as it was received or sent (.eml)"
            >
              View original
            </a>
          </p>
        ) : null}
      </div>
    </article>
  );
}

/** The sanitised HTML of an email (with a switch to its plain text), or the plain text body. */
function MessageBody({ entry }: { entry: Entry }) {
  const [plain, setPlain] = useState(false);
  const bodyId = useId();
  if (!entry.html) return <div className="tl-body">{entry.body}</div>;
  const hasText = Boolean(entry.body?.trim());
  return (
    <>
      {plain && hasText ? (
        <div className="tl-body" id={bodyId}>
          {entry.body}
        </div>
      ) : (
        <div
          className="tl-html"
          id={bodyId}
          // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised by the server's allow-list (no scripts, event handlers, styles or remote loads)
          dangerouslySetInnerHTML={{ __html: entry.html }}
        />
      )}
      {hasText ? (
        <button
          type="button"
          className="link-button tl-toggle"
          aria-pressed={plain}
          aria-controls={bodyId}
          onClick={() => setPlain((p) => !p)}
        >
          Show plain text
        </button>
      ) : null}
    </>
  );
}

const THREAD_RULE_LABEL: Record<string, string> = {
  'reply-address': 'reply address',
  'signed-message-id': 'our signed Message-ID',
  'stored-message-id': 'Message-ID',
  'thread-index': 'Outlook Thread-Index',
  'subject-tag': 'ticket number in the subject',
};

/** "threaded by reply address", "opened this ticket", "follow-up of #1042", with any refused matches after it. */
function threadText(threadedBy: string): string | null {
  const match = /^([a-z-]+)(.*)$/s.exec(threadedBy);
  const rule = match?.[1] ?? threadedBy;
  const rest = match?.[2] ?? '';
  if (rule === 'none') return null;
  if (rule === 'new-ticket') return `opened this ticket${rest}`;
  if (rule === 'follow-up') return threadedBy;
  return `threaded by ${THREAD_RULE_LABEL[rule] ?? rule}${rest}`;
}

const AUTOMATION_LABEL: Record<string, string> = {
  'auto-reply': 'automatic reply',
  bulk: 'bulk mail',
  list: 'mailing list',
  bounce: 'delivery report',
};

function EmailFacts({ email, kind, now }: { email: EmailMeta; kind: MessageKind; now: number }) {
  const facts: ReactNode[] = [];
  if (email.cc.length > 0) facts.push(<span key="cc">cc {email.cc.join(', ')}</span>);
  if (email.direction === 'in') {
    const thread = email.threadedBy ? threadText(email.threadedBy) : null;
    if (thread) facts.push(<span key="thread">{thread}</span>);
    const automation = email.automation && email.automation !== 'human' ? email.automation : null;
    if (automation) facts.push(<span key="auto">{AUTOMATION_LABEL[automation] ?? automation}</span>);
    if (email.quoteStripped) facts.push(<span key="quote">quoted history hidden</span>);
  }
  return (
    <div className="tl-email">
      {kind === 'notification' || kind === 'system' ? (
        <p className="tl-subject">
          <span className="tl-label">Subject</span> {email.subject || '(no subject)'}
        </p>
      ) : null}
      <p className="tl-email-meta">
        <span className="tl-route">
          <span className="visually-hidden">From </span>
          {email.from ?? 'unknown sender'}
          <span aria-hidden="true"> → </span>
          <span className="visually-hidden"> to </span>
          {email.to.length > 0 ? email.to.join(', ') : 'no recipients'}
        </span>
        {facts.map((fact, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: fixed order, never reordered
          <span key={i}>
            <span aria-hidden="true"> · </span>
            {fact}
          </span>
        ))}
        {email.direction === 'out' ? <Delivery email={email} now={now} /> : null}
      </p>
    </div>
  );
}

function Delivery({ email, now }: { email: EmailMeta; now: number }) {
  const separator = <span aria-hidden="true"> · </span>;
  if (email.sentAt) {
    return (
      <>
        {separator}
        <span className="tl-delivery is-sent">
          sent{' '}
          <time dateTime={email.sentAt} title={fullTime(email.sentAt)}>
            {relativeTime(email.sentAt, now)}
          </time>
        </span>
        {email.failure ? (
          <>
            {separator}
            <span className="tl-delivery is-failed">{email.failure}</span>
          </>
        ) : null}
      </>
    );
  }
  if (email.failure) {
    return (
      <>
        {separator}
        <span className="tl-delivery is-failed">not sent: {email.failure}</span>
      </>
    );
  }
  return (
    <>
      {separator}
      <span className="tl-delivery">sending…</span>
    </>
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function PaperclipIcon() {
  return (
    <svg className="tl-file-icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path
        d="M10.5 4.5 5.7 9.3a1.2 1.2 0 0 0 1.7 1.7l5-5a2.5 2.5 0 0 0-3.5-3.5l-5 5a3.8 3.8 0 0 0 5.3 5.3l4.3-4.3"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

function EventEntry({ entry, directory, now }: { entry: Entry; directory: Directory; now: number }) {
  const parts = entry.changes.map((change) => describeChange(change, directory));
  return (
    <article className="tl-event" data-kind="event">
      <span className="tl-event-dot" aria-hidden="true" />
      <p className="tl-event-text">
        <strong>{authorName(entry, directory)}</strong>{' '}
        {entry.body ? (
          // A blueprint transition says what it did: "Start fixing: Triage → Fixing".
          <>
            performed <em className="tl-event-body">{entry.body}</em>
            {parts.length > 0 ? ': ' : null}
          </>
        ) : null}
        {parts.length > 0 || !entry.body ? joinParts(parts) : null}
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
