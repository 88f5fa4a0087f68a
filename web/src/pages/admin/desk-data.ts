/**
 * What the desk-organising admin screens (departments, fields, rules, teams
 * and agents) share: the custom fields list, labels for field types, and
 * the values a picklist offers in a department (as the server decides it).
 */
import type { Agent, Department, FieldDefinition, FieldType, Team } from '../../api/types.js';
import { useItems } from './common.js';

export const FIELD_TYPE_NAME: Record<FieldType, string> = {
  text: 'Text',
  number: 'Number',
  date: 'Date',
  checkbox: 'Checkbox',
  picklist: 'Picklist',
  multi_picklist: 'Multi-select picklist',
};
export const FIELD_TYPES = Object.keys(FIELD_TYPE_NAME) as FieldType[];

export const isPicklist = (type: FieldType) => type === 'picklist' || type === 'multi_picklist';

/** The desk's custom fields (`GET /fields`, by label; inactive ones too). */
export function useFields() {
  const { items, error, loading, reload } = useItems<FieldDefinition>('/fields');
  return { fields: items, error, loading, reload };
}

/** Every value a picklist may hold in some department. */
export function allOptions(field: FieldDefinition): string[] {
  return [...new Set([...(field.options ?? []), ...Object.values(field.optionsByDepartment ?? {}).flat()])];
}

/**
 * Departments, teams and agents as the server has them now (the directory
 * loaded at sign-in may predate a department created a minute ago).
 */
export function useDeskLists() {
  const departments = useItems<Department>('/departments');
  const teams = useItems<Team>('/teams');
  const agents = useItems<Agent>('/agents');
  return {
    departments: departments.items ?? [],
    teams: teams.items ?? [],
    agents: agents.items ?? [],
    loaded: Boolean(departments.items && teams.items && agents.items),
    error: departments.error ?? teams.error ?? agents.error,
    reload: async () => {
      await Promise.all([departments.reload(), teams.reload(), agents.reload()]);
    },
  };
}
export type DeskLists = ReturnType<typeof useDeskLists>;
