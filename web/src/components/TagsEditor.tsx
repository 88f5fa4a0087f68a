import { type KeyboardEvent, useId, useState } from 'react';

const TAG = /^[\p{L}\p{N}_\-:.]+$/u;

/** Tags as removable chips plus an input: Enter, comma or space adds; Backspace on an empty input removes the last. */
export function TagsEditor({
  tags,
  onChange,
  disabled,
}: {
  tags: string[];
  onChange(tags: string[]): void;
  disabled?: boolean;
}) {
  const id = useId();
  const [input, setInput] = useState('');
  const [error, setError] = useState<string>();

  const add = (raw: string) => {
    const candidates = raw
      .split(/[\s,]+/)
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean);
    if (candidates.length === 0) return;
    const bad = candidates.find((t) => !TAG.test(t) || t.length > 50);
    if (bad) {
      setError(`“${bad}” is not a valid tag: use letters, digits, _ - : . (up to 50)`);
      return;
    }
    const next = [...new Set([...tags, ...candidates])].sort();
    if (next.length > 30) {
      setError('A ticket can have at most 30 tags');
      return;
    }
    setError(undefined);
    setInput('');
    if (next.join(' ') !== tags.join(' ')) onChange(next);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter' || event.key === ',' || (event.key === ' ' && input.trim())) {
      event.preventDefault();
      add(input);
    } else if (event.key === 'Backspace' && input === '' && tags.length > 0) {
      onChange(tags.slice(0, -1));
    }
  };

  return (
    <fieldset className="field">
      <legend className="field-label">Tags</legend>
      <div className={`tags-editor ${disabled ? 'is-disabled' : ''}`}>
        <ul className="tags-list" aria-label="Tags on this ticket">
          {tags.map((tag) => (
            <li key={tag} className="tag">
              {tag}
              <button
                type="button"
                className="tag-remove"
                aria-label={`Remove tag ${tag}`}
                onClick={() => onChange(tags.filter((t) => t !== tag))}
                disabled={disabled}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <input
          id={`${id}-input`}
          className="tags-input"
          value={input}
          onChange={(e) => {
            setInput(e.target.value);
            setError(undefined);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => add(input)}
          placeholder={tags.length ? 'Add tag' : 'Add a tag…'}
          aria-label="Add tag"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          disabled={disabled}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
