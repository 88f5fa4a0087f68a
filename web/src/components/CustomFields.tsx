import { type KeyboardEvent, useEffect, useId, useState } from 'react';
import type { CustomFieldValue, FieldDefinition, Ticket } from '../api/types.js';
import { isEmptyValue, type LayoutEntry, layoutEntries, optionsFor, useFieldSetup } from '../lib/fields.js';

type Value = CustomFieldValue;

/** How a stored value shows in a text-like input. */
function asText(value: Value | undefined): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** A text-like input's draft as the value to save; an error message when it is not one. */
function parseDraft(definition: FieldDefinition, draft: string): { value: Value } | { error: string } {
  const text = draft.trim();
  if (text === '') return { value: null };
  if (definition.type === 'number') {
    const number = Number(text);
    return Number.isFinite(number) ? { value: number } : { error: `“${definition.label}” must be a number` };
  }
  return { value: text };
}

function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (isEmptyValue(a) && isEmptyValue(b)) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The custom fields of the ticket's department, in the layout's order, each
 * with the input its type needs (picklists offer that department's values),
 * required ones marked. Each change is saved on its own (text, number and
 * date when the input loses focus or on Enter); the server's objections show
 * under the field. Nothing shows when the department has no layout.
 */
export function CustomFields({
  ticket,
  disabled,
  errors,
  onSave,
}: {
  ticket: Ticket;
  disabled: boolean;
  /** Server errors by field id. */
  errors: Record<string, string>;
  onSave(values: Record<string, Value>): Promise<boolean>;
}) {
  const id = useId();
  const setup = useFieldSetup();
  /** Text-like inputs being edited (or refused), by field id. */
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  // Another department has other fields: start afresh.
  useEffect(() => {
    void ticket.departmentId;
    setDrafts({});
    setLocalErrors({});
  }, [ticket.departmentId]);

  if (!setup) return null;
  const entries = layoutEntries(setup, ticket.departmentId);
  if (entries.length === 0) return null;

  const save = async (fieldId: string, value: Value) => {
    setLocalErrors(({ [fieldId]: _, ...rest }) => rest);
    if (sameValue(value, ticket.customFields[fieldId]) && !errors[fieldId]) {
      setDrafts(({ [fieldId]: _, ...rest }) => rest);
      return;
    }
    const ok = await onSave({ [fieldId]: value });
    // Keep what the agent typed when it was refused, so they can correct it.
    if (ok) setDrafts(({ [fieldId]: _, ...rest }) => rest);
  };

  const commitDraft = (definition: FieldDefinition) => {
    const draft = drafts[definition.id];
    if (draft === undefined) return;
    const parsed = parseDraft(definition, draft);
    if ('error' in parsed) setLocalErrors((e) => ({ ...e, [definition.id]: parsed.error }));
    else void save(definition.id, parsed.value);
  };

  const onEnter = (event: KeyboardEvent<HTMLInputElement>, definition: FieldDefinition) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    commitDraft(definition);
  };

  const render = ({ definition, required }: LayoutEntry) => {
    const fieldId = definition.id;
    const inputId = `${id}-${fieldId}`;
    const error = localErrors[fieldId] ?? errors[fieldId];
    const errorId = `${inputId}-error`;
    const value = ticket.customFields[fieldId];
    const common = {
      id: inputId,
      disabled,
      'aria-invalid': error ? true : undefined,
      'aria-describedby': error ? errorId : undefined,
      'aria-required': required || undefined,
    } as const;
    const label = (
      <>
        {definition.label}
        {required ? (
          <span className="required-mark" title="Required">
            <span aria-hidden="true"> *</span>
            <span className="visually-hidden"> (required)</span>
          </span>
        ) : null}
      </>
    );
    const errorText = error ? (
      <p className="field-error" id={errorId}>
        {error}
      </p>
    ) : null;
    const options = optionsFor(definition, ticket.departmentId);

    if (definition.type === 'checkbox') {
      return (
        <div key={fieldId} className="field" data-field-id={fieldId}>
          <div className="checkbox-field">
            <input
              {...common}
              type="checkbox"
              checked={value === true}
              onChange={(e) => void save(fieldId, e.target.checked)}
            />
            <label htmlFor={inputId}>{label}</label>
          </div>
          {errorText}
        </div>
      );
    }
    if (definition.type === 'multi_picklist') {
      const picked = Array.isArray(value) ? value : [];
      const toggle = (option: string, on: boolean) => {
        const next = on ? [...picked, option] : picked.filter((p) => p !== option);
        void save(fieldId, next.length > 0 ? options.filter((o) => next.includes(o)) : null);
      };
      return (
        <fieldset
          key={fieldId}
          className="field"
          data-field-id={fieldId}
          aria-describedby={error ? errorId : undefined}
          aria-invalid={error ? true : undefined}
        >
          <legend className="field-label">{label}</legend>
          <div className="checkbox-group">
            {options.map((option) => (
              <label key={option} className="radio-option">
                <input
                  type="checkbox"
                  checked={picked.includes(option)}
                  onChange={(e) => toggle(option, e.target.checked)}
                  disabled={disabled}
                />
                {option}
              </label>
            ))}
          </div>
          {errorText}
        </fieldset>
      );
    }
    if (definition.type === 'picklist') {
      const current = typeof value === 'string' ? value : '';
      return (
        <div key={fieldId} className="field" data-field-id={fieldId}>
          <label htmlFor={inputId}>{label}</label>
          <select {...common} value={current} onChange={(e) => void save(fieldId, e.target.value || null)}>
            <option value="">{required ? 'Choose…' : 'None'}</option>
            {current && !options.includes(current) ? <option value={current}>{current}</option> : null}
            {options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
          {errorText}
        </div>
      );
    }
    // text, number, date: edited in place, saved on blur or Enter.
    const draft = drafts[fieldId];
    return (
      <div key={fieldId} className="field" data-field-id={fieldId}>
        <label htmlFor={inputId}>{label}</label>
        <input
          {...common}
          type={definition.type === 'number' ? 'number' : definition.type === 'date' ? 'date' : 'text'}
          value={draft ?? asText(value)}
          onChange={(e) => {
            const next = e.target.value;
            setDrafts((d) => ({ ...d, [fieldId]: next }));
            if (definition.type === 'date' && (next === '' || /^\d{4}-\d{2}-\d{2}$/.test(next))) {
              // A date picker's choice is complete at once.
              void save(fieldId, next || null);
            }
          }}
          onBlur={() => {
            if (definition.type !== 'date') commitDraft(definition);
          }}
          onKeyDown={(e) => onEnter(e, definition)}
          {...(definition.type === 'number'
            ? { inputMode: 'decimal' as const, step: 'any', min: definition.min, max: definition.max }
            : {})}
          {...(definition.type === 'text' && definition.maxLength ? { maxLength: definition.maxLength } : {})}
          autoComplete="off"
        />
        {errorText}
      </div>
    );
  };

  return (
    <section className="custom-fields" aria-labelledby={`${id}-title`}>
      <h3 className="subheading" id={`${id}-title`}>
        Fields
      </h3>
      <div className="form-stack">{entries.map(render)}</div>
    </section>
  );
}
