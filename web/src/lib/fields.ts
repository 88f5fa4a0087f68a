/**
 * The desk's custom fields and per-department layouts (`GET /fields`,
 * `GET /layouts`), shared by every ticket page: loaded on first use and
 * again when a ticket page opens more than a minute after the last load.
 */
import { useEffect, useSyncExternalStore } from 'react';
import { ApiError, get } from '../api/client.js';
import type { CustomFieldValue, FieldDefinition, FieldLayout, Items } from '../api/types.js';

const FRESH_MS = 60_000;

export interface FieldSetup {
  definitions: Map<string, FieldDefinition>;
  layouts: FieldLayout[];
}

let setup: FieldSetup | null | undefined;
let loadedAt = 0;
let loading: Promise<void> | null = null;
const listeners = new Set<() => void>();

function load(): Promise<void> {
  if (loading) return loading;
  loading = Promise.all([get<Items<FieldDefinition>>('/fields'), get<Items<FieldLayout>>('/layouts')])
    .then(
      ([fields, layouts]) => {
        setup = { definitions: new Map(fields.items.map((f) => [f.id, f])), layouts: layouts.items };
        loadedAt = Date.now();
      },
      (error: unknown) => {
        // A desk without custom fields (older API) shows none; other failures keep what was loaded.
        if (error instanceof ApiError && (error.status === 404 || error.status === 405)) setup = null;
        else if (setup === undefined) setup = null;
      },
    )
    .finally(() => {
      loading = null;
      for (const listener of listeners) listener();
    });
  return loading;
}

export function forgetFieldSetup(): void {
  setup = undefined;
  loadedAt = 0;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** undefined while loading, null when the desk has no custom fields. */
export function useFieldSetup(): FieldSetup | null | undefined {
  useEffect(() => {
    if (setup === undefined || Date.now() - loadedAt > FRESH_MS) void load();
  }, []);
  return useSyncExternalStore(subscribe, () => setup);
}

export interface LayoutEntry {
  definition: FieldDefinition;
  required: boolean;
}

/** The fields of a department's layout, in order (inactive or unknown fields left out). */
export function layoutEntries(setupValue: FieldSetup, departmentId: string | null): LayoutEntry[] {
  if (departmentId === null) return [];
  const layout = setupValue.layouts.find((l) => l.departmentId === departmentId);
  const entries: LayoutEntry[] = [];
  for (const field of layout?.fields ?? []) {
    const definition = setupValue.definitions.get(field.fieldId);
    if (definition?.active) entries.push({ definition, required: field.required });
  }
  return entries;
}

/** The values a picklist offers in a department: its own list, else the desk-wide one. */
export function optionsFor(definition: FieldDefinition, departmentId: string | null): readonly string[] {
  const own = departmentId === null ? undefined : definition.optionsByDepartment?.[departmentId];
  return own ?? definition.options ?? [];
}

export function isEmptyValue(value: CustomFieldValue | undefined): boolean {
  return (
    value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
  );
}
