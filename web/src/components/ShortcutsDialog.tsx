import type { Ref } from 'react';
import { modKeyLabel } from '../lib/hotkeys.js';

const GROUPS: { title: string; keys: [string[], string][] }[] = [
  {
    title: 'Anywhere',
    keys: [
      [['1', '…', '6'], 'Switch view (All open … All tickets)'],
      [['7'], 'At risk (SLA)'],
      [['8', '9'], 'My open tickets, Unassigned (saved views)'],
      [['?'], 'Show this help'],
    ],
  },
  {
    title: 'Inbox',
    keys: [
      [['j'], 'Next ticket'],
      [['k'], 'Previous ticket'],
      [['Enter'], 'Open the selected ticket'],
      [['x'], 'Select the ticket for a macro'],
      [['/'], 'Filter by tag'],
      [['Shift', 'R'], 'Refresh'],
    ],
  },
  {
    title: 'Ticket',
    keys: [
      [['r'], 'Write a reply'],
      [['n'], 'Write an internal note'],
      [['/'], 'Insert a canned response (at the start of a line)'],
      [[modKeyLabel, 'Enter'], 'Send the reply or note'],
      [['Esc'], 'Back to the inbox'],
    ],
  },
];

export function ShortcutsDialog({ ref }: { ref: Ref<HTMLDialogElement> }) {
  return (
    // Clicking the backdrop (the dialog element itself, outside its content) closes it; Esc is native.
    // biome-ignore lint/a11y/useKeyWithClickEvents: Esc already closes a modal dialog
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="shortcuts-title"
      onClick={(event) => {
        if (event.target === event.currentTarget) event.currentTarget.close();
      }}
    >
      <div className="dialog-header">
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <form method="dialog">
          <button type="submit" className="btn btn-ghost btn-sm" aria-label="Close">
            ×
          </button>
        </form>
      </div>
      <div className="shortcut-groups">
        {GROUPS.map((group) => (
          <section key={group.title}>
            <h3 className="shortcut-title">{group.title}</h3>
            <dl className="shortcut-list">
              {group.keys.map(([keys, label]) => (
                <div key={label} className="shortcut-row">
                  <dt>
                    {keys.map((k) => (
                      <kbd key={k}>{k}</kbd>
                    ))}
                  </dt>
                  <dd>{label}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </dialog>
  );
}
