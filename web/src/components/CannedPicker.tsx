import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { api, get, isAbort, messageOf } from '../api/client.js';
import type { CannedResponse, Items } from '../api/types.js';
import { Spinner } from './Feedback.js';

const LIMIT = 10;
const DEBOUNCE_MS = 150;

/**
 * Search and insert a canned response: a combobox (type to search, arrows to
 * move, Enter to insert, Esc to go back to the text) over a listbox of
 * matches (`GET /canned-responses?q=`). The chosen response is rendered for
 * the ticket (`POST /canned-responses/{id}/render`: placeholders filled) and
 * handed to `onInsert`. Loaded on demand by the composer.
 */
export function CannedPicker({
  ticketId,
  onInsert,
  onClose,
  onLiteral,
}: {
  ticketId: string;
  onInsert(body: string): void;
  /** `refocus`: put the caret back in the text (Esc); false when focus went elsewhere. */
  onClose(refocus: boolean): void;
  /** "/" typed first in the search: the agent wanted a literal slash. */
  onLiteral?(): void;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [q, setQ] = useState('');
  const [items, setItems] = useState<CannedResponse[]>();
  const [active, setActive] = useState(0);
  const [error, setError] = useState<string>();
  const [inserting, setInserting] = useState<string>();

  useEffect(() => {
    input.current?.focus();
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    const timer = window.setTimeout(
      () => {
        get<Items<CannedResponse>>(
          `/canned-responses?q=${encodeURIComponent(q.trim())}&limit=${LIMIT}`,
          controller.signal,
        ).then(
          (result) => {
            setItems(result.items);
            setActive(0);
            setError(undefined);
          },
          (e: unknown) => {
            if (!isAbort(e)) setError(messageOf(e));
          },
        );
      },
      q ? DEBOUNCE_MS : 0,
    );
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [q]);

  const pick = async (item: CannedResponse | undefined) => {
    if (!item || inserting) return;
    setInserting(item.id);
    setError(undefined);
    try {
      const { body } = await api<{ body: string }>(
        'POST',
        `/canned-responses/${encodeURIComponent(item.id)}/render`,
        { body: { ticketId } },
      );
      onInsert(body);
    } catch (e) {
      setError(`“${item.title}” could not be inserted: ${messageOf(e)}`);
      setInserting(undefined);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const count = items?.length ?? 0;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (count === 0) return;
      setActive((a) => (a + (event.key === 'ArrowDown' ? 1 : count - 1)) % count);
    } else if (event.key === 'Home' && event.ctrlKey) {
      event.preventDefault();
      setActive(0);
    } else if (event.key === 'End' && event.ctrlKey) {
      event.preventDefault();
      setActive(Math.max(0, count - 1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      void pick(items?.[active]);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose(true);
    } else if (event.key === 'Tab') {
      event.preventDefault();
      onClose(true);
    } else if (event.key === '/' && q === '' && onLiteral) {
      event.preventDefault();
      onLiteral();
    }
  };

  // Keep the active option in view while moving with the arrows.
  useEffect(() => {
    document.getElementById(`${id}-opt-${active}`)?.scrollIntoView({ block: 'nearest' });
  }, [active, id]);

  const listId = `${id}-list`;
  const activeId = items && items.length > 0 ? `${id}-opt-${active}` : undefined;

  return (
    <div className="canned-picker">
      <div className="canned-search">
        <label htmlFor={`${id}-q`} className="visually-hidden">
          Search canned responses
        </label>
        <input
          ref={input}
          id={`${id}-q`}
          type="text"
          role="combobox"
          aria-expanded="true"
          aria-controls={listId}
          aria-activedescendant={activeId}
          aria-autocomplete="list"
          aria-describedby={`${id}-hint`}
          placeholder="Search canned responses…"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={onKeyDown}
          onBlur={(e) => {
            if (!e.currentTarget.closest('.canned-picker')?.contains(e.relatedTarget as Node | null))
              onClose(false);
          }}
          autoComplete="off"
          spellCheck={false}
        />
        {inserting ? <Spinner size="sm" label="Inserting" /> : null}
      </div>
      <div className="canned-list" id={listId} role="listbox" aria-label="Canned responses">
        {items?.map((item, i) => (
          // The keyboard works from the search box (aria-activedescendant); options take clicks only.
          // biome-ignore lint/a11y/useKeyWithClickEvents: arrows and Enter in the combobox choose an option
          <div
            key={item.id}
            id={`${id}-opt-${i}`}
            role="option"
            tabIndex={-1}
            aria-selected={i === active}
            className="canned-option"
            // Keep focus in the search box: choosing with the mouse must not blur it first.
            onMouseDown={(e) => e.preventDefault()}
            onMouseMove={() => setActive(i)}
            onClick={() => void pick(item)}
          >
            <span className="canned-title">{item.title}</span>
            <span className="canned-preview">{item.body}</span>
          </div>
        ))}
      </div>
      <p className="canned-hint" id={`${id}-hint`} aria-live="polite">
        {error ??
          (!items
            ? 'Loading…'
            : items.length === 0
              ? q.trim()
                ? `No canned response matches “${q.trim()}”`
                : 'No canned responses yet'
              : `${items.length} response${items.length === 1 ? '' : 's'} · ↑↓ to choose, Enter to insert, Esc to go back`)}
      </p>
    </div>
  );
}
