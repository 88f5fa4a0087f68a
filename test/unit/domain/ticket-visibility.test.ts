import { describe, expect, it } from 'vitest';
import {
  actsInBlueprint,
  canListTicket,
  canSeeTicket,
  type Principal,
} from '../../../functions/domain/agents/model.js';
import type { BlueprintSummary, Ticket } from '../../../functions/domain/tickets/model.js';

const walt: Principal = {
  agentId: 'walt',
  email: 'walt@x.test',
  name: 'Walt',
  role: 'agent',
  departmentIds: ['warehouse'],
  teamIds: ['warehouse-team'],
};
const noTeams: Principal = { ...walt, agentId: 'nina', teamIds: undefined, departmentIds: ['logistics'] };
const supervisor: Principal = { ...walt, agentId: 'sue', role: 'supervisor', departmentIds: [] };

const NOBODY: BlueprintSummary['actors'] = { agentIds: [], teamIds: [], departmentIds: [], roles: [] };

function returnsTicket(
  actors: Partial<BlueprintSummary['actors']> | null,
  completed = false,
): Pick<Ticket, 'departmentId' | 'assigneeId' | 'blueprint'> {
  return {
    departmentId: 'returns',
    assigneeId: 'rita',
    blueprint: actors
      ? {
          blueprintId: 'sample-returns',
          version: 1,
          name: 'Returns',
          stateId: 'label-sent',
          stateName: 'Label sent',
          enteredAt: '2026-01-01T00:00:00.000Z',
          deadlineAt: null,
          completed,
          actors: { ...NOBODY, ...actors },
        }
      : null,
  };
}

describe('canSeeTicket with blueprint actors', () => {
  it('keeps plain department visibility: another department’s ticket is hidden without a blueprint', () => {
    expect(canSeeTicket(walt, returnsTicket(null))).toBe(false);
    expect(canSeeTicket(walt, returnsTicket({}))).toBe(false);
    expect(canSeeTicket(walt, { departmentId: 'warehouse', assigneeId: null, blueprint: null })).toBe(true);
    expect(canSeeTicket(supervisor, returnsTicket(null))).toBe(true);
  });

  it('lets in an agent of a department that acts in the current state', () => {
    expect(canSeeTicket(walt, returnsTicket({ departmentIds: ['warehouse'] }))).toBe(true);
    expect(canSeeTicket(walt, returnsTicket({ departmentIds: ['billing'] }))).toBe(false);
  });

  it('lets in a member of a team that acts, and only through the principal’s own teams', () => {
    expect(canSeeTicket(walt, returnsTicket({ teamIds: ['billing-team', 'warehouse-team'] }))).toBe(true);
    expect(canSeeTicket(walt, returnsTicket({ teamIds: ['billing-team'] }))).toBe(false);
    expect(canSeeTicket(noTeams, returnsTicket({ teamIds: ['warehouse-team'] }))).toBe(false);
  });

  it('lets in an agent named by id or by role', () => {
    expect(canSeeTicket(walt, returnsTicket({ agentIds: ['walt'] }))).toBe(true);
    expect(canSeeTicket(noTeams, returnsTicket({ agentIds: ['walt'] }))).toBe(false);
    expect(canSeeTicket(walt, returnsTicket({ roles: ['agent'] }))).toBe(true);
    expect(canSeeTicket(walt, returnsTicket({ roles: ['supervisor', 'admin'] }))).toBe(false);
  });

  it('hides the ticket again once the blueprint is completed', () => {
    const done = returnsTicket({ agentIds: ['walt'], departmentIds: ['warehouse'] }, true);
    expect(actsInBlueprint(walt, done)).toBe(false);
    expect(canSeeTicket(walt, done)).toBe(false);
  });

  it('does not put the ticket in the actor’s lists, which stay per department', () => {
    const waiting = returnsTicket({ departmentIds: ['warehouse'], teamIds: ['warehouse-team'] });
    expect(actsInBlueprint(walt, waiting)).toBe(true);
    expect(canListTicket(walt, waiting)).toBe(false);
    expect(canListTicket(walt, { ...waiting, assigneeId: 'walt' })).toBe(true);
    expect(canListTicket(walt, { ...waiting, departmentId: null })).toBe(true);
  });
});
