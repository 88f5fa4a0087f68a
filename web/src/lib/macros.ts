/**
 * The macros an agent may apply (`GET /macros`: shared ones and their own),
 * loaded on first use (again when a page needs them a minute later), and applying one to tickets
 * (`POST /macros/{id}/apply`, one result per ticket).
 */
import { useEffect, useSyncExternalStore } from 'react';
import { api, get, messageOf } from '../api/client.js';
import type { Items, MacroResult, StoredMacro } from '../api/types.js';

export interface MacrosState {
  items: StoredMacro['macro'][] | undefined;
  error: string | undefined;
}

let state: MacrosState = { items: undefined, error: undefined };
let loading: Promise<void> | null = null;
let loadedAt = 0;
/** Macros change rarely: a page that needs them reloads the list when it is older than this. */
const FRESH_MS = 60_000;
const listeners = new Set<() => void>();

function set(next: MacrosState): void {
  state = next;
  for (const listener of listeners) listener();
}

export function loadMacros(force = false): Promise<void> {
  if (loading) return loading;
  if (state.items && !force && Date.now() - loadedAt < FRESH_MS) return Promise.resolve();
  loading = get<Items<StoredMacro>>('/macros')
    .then(
      (result) => {
        loadedAt = Date.now();
        set({
          items: result.items.map((m) => m.macro).filter((m) => m.active),
          error: undefined,
        });
      },
      (error: unknown) => set({ items: state.items, error: messageOf(error) }),
    )
    .finally(() => {
      loading = null;
    });
  return loading;
}

export function forgetMacros(): void {
  set({ items: undefined, error: undefined });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The active macros the agent may apply, loaded on first use and refreshed when stale. */
export function useMacros(): MacrosState {
  useEffect(() => {
    void loadMacros();
  }, []);
  return useSyncExternalStore(subscribe, () => state);
}

export async function applyMacro(macroId: string, ticketIds: string[]): Promise<MacroResult[]> {
  const { results } = await api<{ results: MacroResult[] }>(
    'POST',
    `/macros/${encodeURIComponent(macroId)}/apply`,
    { body: { ticketIds } },
  );
  return results;
}
