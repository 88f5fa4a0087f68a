import type { Deps } from '../ports.js';
import { Conflict, Forbidden } from '../shared/errors.js';
import { canChangeSettings, type Department, type Principal } from './model.js';

/** Creates a department (admins only). The id is a slug of the name unless given. */
export async function createDepartment(
  deps: Deps,
  principal: Principal,
  input: { id?: string; name: string },
): Promise<Department> {
  if (!canChangeSettings(principal)) throw new Forbidden('Only admins can change departments');
  const id = input.id ?? slugify(input.name);
  if (!id) throw new Conflict('The department name needs at least one letter or digit');
  const at = deps.clock.now().toISOString();
  const department: Department = {
    id,
    name: input.name.trim(),
    active: true,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  await deps.directory.createDepartment(department);
  return department;
}

export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
}
