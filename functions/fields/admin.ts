/**
 * Settings of custom fields and per-department field layouts: every agent
 * reads them (the ticket page shows the fields of the ticket's department),
 * admins change them. Saves are version-checked (If-Match) and record who
 * saved and when; the ticket path (domain/tickets/use-cases.ts) checks
 * values against them.
 */
import { canChangeSettings, type Principal } from '../domain/agents/model.js';
import {
  allowedOptions,
  type FieldDefinition,
  type Layout,
  parseFieldDefinition,
  parseLayout,
} from '../domain/fields/model.js';
import type { FieldStore } from '../domain/fields/ports.js';
import type { Deps } from '../domain/ports.js';
import { Forbidden, NotFoundError, ValidationFailed } from '../domain/shared/errors.js';
import { expectedVersionFor } from '../domain/shared/versions.js';

/** A department without a saved layout: no fields apply there. */
export interface LayoutView {
  departmentId: string;
  fields: Layout['fields'];
  /** 0 when the department has no saved layout yet. */
  version: number;
}

const isPicklist = (d: FieldDefinition) => d.type === 'picklist' || d.type === 'multi_picklist';

/** Every field definition, inactive ones too, by label. */
export async function listFields(store: FieldStore, _principal: Principal): Promise<FieldDefinition[]> {
  return (await store.listDefinitions()).sort(
    (a, b) => a.label.localeCompare(b.label) || a.id.localeCompare(b.id),
  );
}

/**
 * Creates or changes a field definition (admins). The type of an existing
 * field never changes (stored values would no longer fit it); a picklist
 * must keep values for every department whose layout uses it.
 */
export async function saveField(
  deps: Deps,
  store: FieldStore,
  principal: Principal,
  id: string,
  input: unknown,
  expectedVersion: number | null,
): Promise<FieldDefinition> {
  if (!canChangeSettings(principal)) throw new Forbidden('Only admins change custom fields');
  const existing = (await store.listDefinitions()).find((d) => d.id === id);
  const definition = parseFieldDefinition({ ...(input as object), id, version: existing?.version ?? 1 });
  if (existing && existing.type !== definition.type) {
    throw new ValidationFailed(
      `The type of the field "${existing.label}" is ${existing.type} and cannot change; create a new field instead`,
      { field: 'type' },
    );
  }
  if (isPicklist(definition) && definition.active) {
    const empty = (await store.listLayouts())
      .filter((l) => l.fields.some((f) => f.fieldId === id))
      .filter((l) => allowedOptions(definition, l.departmentId).length === 0)
      .map((l) => l.departmentId);
    if (empty.length > 0) {
      throw new ValidationFailed(
        `The picklist would have no values in department ${empty.join(', ')}, whose layout uses it`,
        { field: 'options' },
      );
    }
  }
  const expected = expectedVersionFor(expectedVersion, existing?.version);
  const version = await store.putDefinition(definition, expected, principal.email, deps.clock.now());
  return { ...definition, version };
}

/** Every saved layout, by department. */
export async function listLayouts(store: FieldStore, _principal: Principal): Promise<Layout[]> {
  return (await store.listLayouts()).sort((a, b) => a.departmentId.localeCompare(b.departmentId));
}

async function requireDepartment(deps: Deps, departmentId: string): Promise<void> {
  if (!(await deps.directory.getDepartment(departmentId)))
    throw new NotFoundError('Department', departmentId);
}

/** A department's layout, or an empty one (version 0) when it has none. 404 for an unknown department. */
export async function getLayout(
  deps: Deps,
  store: FieldStore,
  _principal: Principal,
  departmentId: string,
): Promise<LayoutView> {
  const [layout] = await Promise.all([store.getLayout(departmentId), requireDepartment(deps, departmentId)]);
  return layout ?? { departmentId, fields: [], version: 0 };
}

/**
 * Saves a department's layout (admins): which fields apply there, in order,
 * and which are required. Every field must exist and be active, a picklist
 * must have values in the department. Problems are named per entry
 * (`fields.<i>.fieldId`).
 */
export async function saveLayout(
  deps: Deps,
  store: FieldStore,
  principal: Principal,
  departmentId: string,
  input: unknown,
  expectedVersion: number | null,
): Promise<Layout> {
  if (!canChangeSettings(principal)) throw new Forbidden('Only admins change field layouts');
  const [definitions, existing] = await Promise.all([
    store.listDefinitions(),
    store.getLayout(departmentId),
    requireDepartment(deps, departmentId),
  ]);
  const body: Record<string, unknown> = {
    ...(input as object),
    departmentId,
    version: existing?.version ?? 1,
  };
  let layout: Layout;
  try {
    layout = parseLayout(body, definitions);
  } catch (error) {
    throw withEntryPaths(error, body);
  }
  // If-Match "0" (the ETag of a department without a layout): it must still have none.
  const expected = expectedVersionFor(expectedVersion, existing?.version);
  const version = await store.putLayout(layout, expected, principal.email, deps.clock.now());
  return { ...layout, version };
}

/** `parseLayout`'s per-field problems, named by the entry they are about (`fields.<i>.fieldId`). */
function withEntryPaths(error: unknown, body: Record<string, unknown>): unknown {
  const problems = (error instanceof ValidationFailed ? error.details : undefined) as
    | { problems?: { fieldId: string; message: string }[] }
    | undefined;
  if (!(error instanceof ValidationFailed) || !Array.isArray(problems?.problems)) return error;
  const entries = Array.isArray(body.fields) ? (body.fields as { fieldId?: unknown }[]) : [];
  const details = problems.problems.map((p) => {
    const index = entries.findIndex((e) => e?.fieldId === p.fieldId);
    return { field: index >= 0 ? `fields.${index}.fieldId` : p.fieldId, message: p.message };
  });
  return new ValidationFailed(error.message, details);
}
