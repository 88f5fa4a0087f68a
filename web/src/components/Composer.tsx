import {
  type KeyboardEvent,
  lazy,
  type Ref,
  Suspense,
  useEffect,
  useId,
  useImperativeHandle,
  useRef,
  useState,
} from 'react';
import type { FieldError, TicketStatus } from '../api/types.js';
import { canMoveStatus, STATUS_LABEL, STATUSES } from '../lib/format.js';
import { modKeyLabel } from '../lib/hotkeys.js';
import { Alert, Spinner } from './Feedback.js';

// The canned-response picker loads the first time it opens.
const CannedPicker = lazy(() => import('./CannedPicker.js').then((m) => ({ default: m.CannedPicker })));

export type ComposerMode = 'reply' | 'note';

export interface ComposerHandle {
  focus(mode: ComposerMode): void;
}

export interface ComposerProps {
  ticketId: string;
  status: TicketStatus;
  requesterName: string;
  disabled?: string | undefined;
  /** Why a reply cannot change the status (the ticket follows a blueprint). */
  statusLock?: string | undefined;
  onReply(body: string, status: TicketStatus | undefined): Promise<void>;
  onNote(body: string): Promise<void>;
  ref?: Ref<ComposerHandle>;
}

function draftKey(ticketId: string, mode: ComposerMode): string {
  return `helpdesk.draft.${ticketId}.${mode}`;
}

function readDraft(ticketId: string, mode: ComposerMode): string {
  try {
    return sessionStorage.getItem(draftKey(ticketId, mode)) ?? '';
  } catch {
    return '';
  }
}

function writeDraft(ticketId: string, mode: ComposerMode, text: string): void {
  try {
    if (text) sessionStorage.setItem(draftKey(ticketId, mode), text);
    else sessionStorage.removeItem(draftKey(ticketId, mode));
  } catch {
    // Drafts are a convenience only.
  }
}

/** Reply to the customer or write an internal note; drafts survive navigation within the session. */
export function Composer({
  ticketId,
  status,
  requesterName,
  disabled: replyDisabled,
  statusLock,
  onReply,
  onNote,
  ref,
}: ComposerProps) {
  const id = useId();
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [drafts, setDrafts] = useState<Record<ComposerMode, string>>(() => ({
    reply: readDraft(ticketId, 'reply'),
    note: readDraft(ticketId, 'note'),
  }));
  const [statusAfter, setStatusAfter] = useState<TicketStatus | ''>('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<{ message: string; details: FieldError[] }>();
  const textRef = useRef<HTMLTextAreaElement>(null);
  /** The text range the picked canned response replaces (the caret, or the selection), while the picker is open. */
  const [picker, setPicker] = useState<{ start: number; end: number } | null>(null);
  const tabRefs = { reply: useRef<HTMLButtonElement>(null), note: useRef<HTMLButtonElement>(null) };

  useImperativeHandle(ref, () => ({
    focus(next) {
      setMode(next);
      requestAnimationFrame(() => textRef.current?.focus());
    },
  }));

  useEffect(() => {
    if (statusAfter && (statusLock || !canMoveStatus(status, statusAfter))) setStatusAfter('');
  }, [status, statusAfter, statusLock]);

  const text = drafts[mode];
  // Only replies can be blocked (a closed ticket); internal notes are always allowed.
  const disabled = mode === 'reply' ? replyDisabled : undefined;
  const label = mode === 'reply' ? 'Reply' : 'Internal note';
  const setText = (value: string) => {
    setDrafts((d) => ({ ...d, [mode]: value }));
    writeDraft(ticketId, mode, value);
  };

  const send = async () => {
    const body = text.trim();
    if (!body || sending || disabled) return;
    setSending(true);
    setError(undefined);
    const sentMode = mode;
    try {
      if (sentMode === 'reply') await onReply(body, statusAfter || undefined);
      else await onNote(body);
      setDrafts((d) => ({ ...d, [sentMode]: '' }));
      writeDraft(ticketId, sentMode, '');
      setStatusAfter('');
    } catch (e) {
      const err = e as { message?: string; details?: FieldError[] };
      setError({ message: err.message ?? 'Could not send', details: err.details ?? [] });
    } finally {
      setSending(false);
    }
  };

  const openPicker = () => {
    const el = textRef.current;
    if (!el || el.disabled) return;
    setPicker({ start: el.selectionStart, end: el.selectionEnd });
  };

  /** Puts the caret back in the text, at `at` (after an insertion) or where it was. */
  const backToText = (at?: number) => {
    requestAnimationFrame(() => {
      const el = textRef.current;
      if (!el) return;
      el.focus();
      if (at !== undefined) el.setSelectionRange(at, at);
    });
  };

  const insertCanned = (body: string) => {
    const range = picker ?? { start: text.length, end: text.length };
    setText(text.slice(0, range.start) + body + text.slice(range.end));
    setPicker(null);
    backToText(range.start + body.length);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void send();
      return;
    }
    // "/" at the start of a line opens the canned responses ("/" again types a slash there).
    const el = event.currentTarget;
    const atLineStart = el.selectionStart === 0 || text[el.selectionStart - 1] === '\n';
    if (event.key === '/' && !event.ctrlKey && !event.metaKey && !event.altKey && atLineStart) {
      event.preventDefault();
      openPicker();
    }
  };

  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (
      event.key === 'ArrowRight' ||
      event.key === 'ArrowLeft' ||
      event.key === 'Home' ||
      event.key === 'End'
    ) {
      event.preventDefault();
      const next: ComposerMode =
        event.key === 'Home' ? 'reply' : event.key === 'End' ? 'note' : mode === 'reply' ? 'note' : 'reply';
      setMode(next);
      tabRefs[next].current?.focus();
    }
  };

  const nextStatuses = STATUSES.filter((s) => s !== status && s !== 'new' && canMoveStatus(status, s));

  return (
    <section className={`composer composer-${mode}`} aria-label="Compose">
      <div className="composer-tabs" role="tablist" aria-label="Message type">
        {(['reply', 'note'] as const).map((m) => (
          <button
            key={m}
            ref={tabRefs[m]}
            type="button"
            role="tab"
            id={`${id}-tab-${m}`}
            aria-selected={mode === m}
            aria-controls={`${id}-panel`}
            tabIndex={mode === m ? 0 : -1}
            className="composer-tab"
            onClick={() => setMode(m)}
            onKeyDown={onTabKey}
            aria-keyshortcuts={m === 'reply' ? 'r' : 'n'}
          >
            {m === 'reply' ? 'Reply' : 'Internal note'}
          </button>
        ))}
      </div>
      <div
        className="composer-panel"
        role="tabpanel"
        id={`${id}-panel`}
        aria-labelledby={`${id}-tab-${mode}`}
      >
        <label htmlFor={`${id}-text`} className="visually-hidden">
          {label}
        </label>
        <textarea
          ref={textRef}
          id={`${id}-text`}
          className="composer-text"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder={mode === 'reply' ? `Reply to ${requesterName}…` : 'Write a note only agents can see…'}
          rows={4}
          disabled={Boolean(disabled)}
          aria-describedby={`${id}-hint`}
          aria-keyshortcuts="/"
        />
        {picker ? (
          <Suspense fallback={null}>
            <CannedPicker
              ticketId={ticketId}
              onInsert={insertCanned}
              onLiteral={() => insertCanned('/')}
              onClose={(refocus) => {
                setPicker(null);
                if (refocus) backToText();
              }}
            />
          </Suspense>
        ) : null}
        {error ? (
          <Alert details={error.details} onDismiss={() => setError(undefined)}>
            {error.message}
          </Alert>
        ) : null}
        <div className="composer-footer">
          <span className="composer-hint" id={`${id}-hint`}>
            {disabled ??
              (mode === 'note' ? 'Only agents see internal notes. ' : 'The customer receives this reply. ')}
            {disabled ? null : (
              <>
                <kbd>{modKeyLabel}</kbd>+<kbd>Enter</kbd> to send
              </>
            )}
          </span>
          <div className="composer-actions">
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              onClick={openPicker}
              disabled={Boolean(disabled)}
              aria-haspopup="listbox"
              aria-expanded={picker !== null}
            >
              Canned responses
            </button>
            {mode === 'reply' && nextStatuses.length > 0 ? (
              <div className="inline-field">
                <label htmlFor={`${id}-status`}>Then set status</label>
                <select
                  id={`${id}-status`}
                  value={statusAfter}
                  onChange={(e) => setStatusAfter(e.target.value as TicketStatus | '')}
                  disabled={Boolean(disabled) || Boolean(statusLock)}
                  title={statusLock}
                  aria-describedby={statusLock ? `${id}-status-lock` : undefined}
                >
                  <option value="">
                    {status === 'new' ? 'Open (default)' : `Keep ${STATUS_LABEL[status].toLowerCase()}`}
                  </option>
                  {nextStatuses.map((s) => (
                    <option key={s} value={s}>
                      {STATUS_LABEL[s]}
                    </option>
                  ))}
                </select>
                {statusLock ? (
                  <span className="visually-hidden" id={`${id}-status-lock`}>
                    {statusLock}
                  </span>
                ) : null}
              </div>
            ) : null}
            <button
              type="button"
              className={`btn ${mode === 'note' ? 'btn-note' : 'btn-primary'}`}
              onClick={() => void send()}
              disabled={sending || !text.trim() || Boolean(disabled)}
            >
              {sending ? <Spinner size="sm" /> : null}
              {mode === 'reply' ? 'Send reply' : 'Add note'}
            </button>
          </div>
        </div>
      </div>
    </section>
  );
}
