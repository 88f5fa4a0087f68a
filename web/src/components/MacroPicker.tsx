import { type FormEvent, useId, useState } from 'react';
import type { StoredMacro } from '../api/types.js';
import { useMacros } from '../lib/macros.js';
import { Spinner } from './Feedback.js';

type Macro = StoredMacro['macro'];

/**
 * Choose a macro and apply it: a labelled select plus a button. `onApply`
 * runs the macro (on one ticket or a selection); the picker shows it busy meanwhile.
 */
export function MacroPicker({
  onApply,
  disabled,
  label = 'Macro',
  buttonLabel = 'Apply macro',
}: {
  onApply(macro: Macro): Promise<void>;
  disabled?: boolean;
  label?: string;
  buttonLabel?: string;
}) {
  const id = useId();
  const { items, error } = useMacros();
  const [chosen, setChosen] = useState('');
  const [busy, setBusy] = useState(false);
  const macro = items?.find((m) => m.id === chosen);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!macro || busy) return;
    setBusy(true);
    try {
      await onApply(macro);
      setChosen('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="macro-picker" onSubmit={submit}>
      <label htmlFor={`${id}-macro`} className="visually-hidden">
        {label}
      </label>
      <select
        id={`${id}-macro`}
        value={chosen}
        onChange={(e) => setChosen(e.target.value)}
        disabled={disabled || busy || !items || items.length === 0}
        title={error}
      >
        <option value="">
          {error
            ? 'Macros unavailable'
            : !items
              ? 'Loading macros…'
              : items.length
                ? 'Choose a macro…'
                : 'No macros'}
        </option>
        {items?.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
            {m.scope === 'personal' ? ' (personal)' : ''}
          </option>
        ))}
      </select>
      <button type="submit" className="btn btn-secondary btn-sm" disabled={disabled || busy || !macro}>
        {busy ? <Spinner size="sm" /> : null}
        {buttonLabel}
      </button>
    </form>
  );
}
