import { useEffect, useRef } from 'react';

/**
 * Keyboard shortcuts. Names are lower-case `KeyboardEvent.key` values ("j",
 * "?", "escape", "arrowdown"); a shifted letter is "shift+r"; Ctrl (Cmd on a
 * Mac) adds "mod+". Plain keys are ignored while typing in a field.
 */
export function useHotkeys(bindings: Record<string, (event: KeyboardEvent) => void>, enabled = true): void {
  const ref = useRef(bindings);
  ref.current = bindings;
  useEffect(() => {
    if (!enabled) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const mod = event.ctrlKey || event.metaKey;
      if (!mod && (event.altKey || isTyping(event.target))) return;
      if (!mod && document.querySelector('dialog[open]')) return;
      const key = `${mod ? 'mod+' : ''}${keyName(event)}`;
      const handler = ref.current[key];
      if (handler) {
        event.preventDefault();
        handler(event);
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [enabled]);
}

function keyName(event: KeyboardEvent): string {
  const key = event.key;
  if (/^[a-zA-Z]$/.test(key)) return event.shiftKey ? `shift+${key.toLowerCase()}` : key.toLowerCase();
  return key.length === 1 ? key : key.toLowerCase();
}

export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
  }
  return false;
}

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const modKeyLabel = isMac ? '⌘' : 'Ctrl';
