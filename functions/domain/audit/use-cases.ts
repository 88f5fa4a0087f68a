import { canSuperviseDesk, type Principal } from '../agents/model.js';
import { Forbidden } from '../shared/errors.js';
import type { AuditEntry, AuditLog, AuditQuery } from './model.js';

/** The audit log, newest first: who changed which setting (supervisors and admins). */
export async function listAuditEntries(
  log: AuditLog,
  principal: Principal,
  query: AuditQuery,
): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  if (!canSuperviseDesk(principal)) throw new Forbidden('Only supervisors and admins read the audit log');
  return log.list(query);
}
