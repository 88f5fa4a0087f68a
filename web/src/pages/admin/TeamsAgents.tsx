/**
 * Admin: teams and agents, one screen. Teams: create one in a department,
 * rename, move or disable it, and choose how its tickets get an assignee
 * (manual, round robin, least load, skills, with where a ticket's required
 * skills come from). Agents: create one, and set their role, departments,
 * teams, availability, capacity and skills, or deactivate them. Changes are
 * sent as PATCHes of what changed, with the version read in If-Match; the
 * server's field errors show next to the controls they name.
 */
import { type FormEvent, useEffect } from 'react';
import { api } from '../../api/client.js';
import type {
  Agent,
  Availability,
  Department,
  FieldError,
  Role,
  Team,
  TeamAssignment,
} from '../../api/types.js';
import { FieldMessage } from '../../components/FormErrors.js';
import { useDirectory } from '../../lib/directory.js';
import { adminPath, Link, navigate } from '../../lib/router.js';
import { useToast } from '../../lib/toast.js';
import {
  AdminTable,
  CheckboxField,
  CheckboxGroup,
  conflictOn,
  EditorFallback,
  EditorPage,
  FormActions,
  IdVersion,
  ifMatch,
  LoadProblem,
  NameAndId,
  NameCell,
  newIdProblems,
  optionsOf,
  PageHeader,
  SelectField,
  splitList,
  TextField,
  useDraft,
  useEditorForm,
  useItems,
  usePageTitle,
} from './common.js';
import { isPicklist, useFields } from './desk-data.js';
import './admin-desk.css';

type Strategy = TeamAssignment['strategy'];
const STRATEGY_LABEL: Record<Strategy, string> = {
  manual: 'Manual (agents pick tickets)',
  round_robin: 'Round robin (online agents in turn)',
  least_load: 'Least load (fewest open tickets)',
  skills: 'Skills (agents with the skills a ticket needs)',
};
const ROLE_LABEL: Record<Role, string> = { admin: 'Admin', supervisor: 'Supervisor', agent: 'Agent' };
const AVAILABILITY_LABEL: Record<Availability, string> = {
  online: 'Online',
  away: 'Away',
  offline: 'Offline',
};
const ID_PATTERN = { test: /^[A-Za-z0-9_-]{1,64}$/, message: 'Letters, digits, _ and - only, up to 64' };

export function TeamsPage({ id }: { id?: string | null }) {
  return id === undefined ? <TeamsAndAgents /> : <TeamEditor key={id ?? 'new'} id={id} />;
}

export function AgentsPage({ id }: { id?: string | null }) {
  return id === undefined ? <TeamsAndAgents /> : <AgentEditor key={id ?? 'new'} id={id} />;
}

function TeamsAndAgents() {
  const teams = useItems<Team>('/teams');
  const agents = useItems<Agent>('/agents');
  const departments = useItems<Department>('/departments');
  usePageTitle('Teams & agents');
  const departmentName = (id: string) => departments.items?.find((d) => d.id === id)?.name ?? id;
  const teamName = (id: string) => teams.items?.find((t) => t.id === id)?.name ?? id;

  return (
    <div className="page admin-page">
      <PageHeader
        title="Teams & agents"
        subtitle="Who works in which department and team, and how tickets reach them."
      >
        <div className="page-actions">
          <Link to={adminPath('teams', null)} className="btn btn-primary btn-sm">
            New team
          </Link>
          <Link to={adminPath('agents', null)} className="btn btn-secondary btn-sm">
            New agent
          </Link>
        </div>
      </PageHeader>
      {teams.error ? (
        <LoadProblem what="The teams" error={teams.error} onRetry={() => void teams.reload()} />
      ) : null}
      <h2 className="subheading">Teams</h2>
      <AdminTable
        label="Teams"
        columns={['Team', 'Department', 'Assignment', 'Members']}
        loading={teams.loading}
        items={teams.items}
        loadingLabel="Loading teams"
      >
        {teams.items?.map((t) => {
          const members = agents.items?.filter((a) => a.teamIds.includes(t.id)) ?? [];
          return (
            <tr key={t.id} className={t.active ? undefined : 'is-inactive'}>
              <NameCell
                to={adminPath('teams', t.id)}
                name={t.name}
                detail={t.id}
                inactive={t.active ? undefined : 'Disabled'}
              />
              <td>{departmentName(t.departmentId)}</td>
              <td className="small">{STRATEGY_LABEL[t.assignment?.strategy ?? 'manual']}</td>
              <td className="small">{members.length ? members.map((a) => a.name).join(', ') : '—'}</td>
            </tr>
          );
        })}
      </AdminTable>

      {agents.error ? (
        <LoadProblem what="The agents" error={agents.error} onRetry={() => void agents.reload()} />
      ) : null}
      <h2 className="subheading admin-section-gap">Agents</h2>
      <AdminTable
        label="Agents"
        columns={['Agent', 'Role', 'Departments', 'Teams', 'Availability', 'Capacity', 'Skills']}
        loading={agents.loading}
        items={agents.items}
        loadingLabel="Loading agents"
      >
        {agents.items?.map((a) => (
          <tr key={a.id} className={a.active ? undefined : 'is-inactive'}>
            <NameCell
              to={adminPath('agents', a.id)}
              name={a.name}
              detail={a.email}
              mono={false}
              inactive={a.active ? undefined : 'Inactive'}
            />
            <td>{ROLE_LABEL[a.role]}</td>
            <td className="small">{a.departmentIds.map(departmentName).join(', ') || '—'}</td>
            <td className="small">{a.teamIds.map(teamName).join(', ') || '—'}</td>
            <td>{AVAILABILITY_LABEL[a.availability]}</td>
            <td className="mono">{a.capacity}</td>
            <td className="small">{a.skills.join(', ') || '—'}</td>
          </tr>
        ))}
      </AdminTable>
    </div>
  );
}

// ---------------------------------------------------------------------------
// Teams

interface TeamDraft {
  id: string;
  idEdited: boolean;
  name: string;
  departmentId: string;
  active: boolean;
  strategy: Strategy;
  fromFields: string[];
  tagPrefix: string;
  always: string;
}

function teamDraft(team: Team | null, departmentId = ''): TeamDraft {
  const skills = team?.assignment?.skills;
  return {
    id: team?.id ?? '',
    idEdited: false,
    name: team?.name ?? '',
    departmentId: team?.departmentId ?? departmentId,
    active: team?.active ?? true,
    strategy: team?.assignment?.strategy ?? 'manual',
    fromFields: skills?.fromFields ?? [],
    tagPrefix: skills?.tagPrefix ?? '',
    always: (skills?.always ?? []).join(', '),
  };
}

const seedTeam = (team: Team) => ({ draft: teamDraft(team), version: team.version });

function assignmentOf(d: TeamDraft): TeamAssignment {
  if (d.strategy !== 'skills') return { strategy: d.strategy };
  return {
    strategy: 'skills',
    skills: {
      fromFields: d.fromFields,
      ...(d.tagPrefix.trim() ? { tagPrefix: d.tagPrefix.trim().toLowerCase() } : {}),
      always: splitList(d.always.toLowerCase(), /[,\n]/),
    },
  };
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function teamLabel(path: string): string {
  const [head, a] = path.split('.');
  if (head === 'id') return 'ID';
  if (head === 'name') return 'Name';
  if (head === 'departmentId') return 'Department';
  if (head === 'active') return 'Enabled';
  if (head === 'assignment') return a === 'skills' ? 'Skills' : 'Assignment';
  return path || 'Team';
}

function TeamEditor({ id }: { id: string | null }) {
  const notify = useToast();
  const directory = useDirectory();
  const teams = useItems<Team>('/teams');
  const departments = useItems<Department>('/departments');
  const { fields } = useFields();
  const existing = id === null ? undefined : teams.items?.find((t) => t.id === id);
  const { draft, setDraft, version, update, reseed } = useDraft(undefined, existing, seedTeam);
  const form = useEditorForm();
  const { errors, saving, setProblem, run } = form;
  const title = id === null ? 'New team' : (existing?.name ?? 'Team');
  usePageTitle(title);

  // A new team starts in the first department, once the departments have loaded.
  useEffect(() => {
    if (id === null && draft === undefined && departments.items) {
      setDraft(teamDraft(null, departments.items[0]?.id ?? ''));
    }
  }, [id, draft, departments.items, setDraft]);

  if (!draft) {
    return (
      <EditorFallback
        back={adminPath('teams')}
        backLabel="Teams & agents"
        noun="team"
        id={id}
        error={teams.error ?? departments.error}
        missing={Boolean(teams.items) && id !== null && !existing}
      />
    );
  }

  const reloadFromServer = async () => {
    if (reseed((await teams.reload())?.find((t) => t.id === id))) setProblem(undefined);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const assignment = assignmentOf(draft);
    if (id === null) {
      const teamId = draft.id.trim();
      const problems: FieldError[] = [
        ...(draft.departmentId ? [] : [{ field: 'departmentId', message: 'Choose the team’s department' }]),
        ...newIdProblems(teamId, 'team', (x) => teams.items?.some((t) => t.id === x) ?? false, ID_PATTERN),
      ];
      if (problems.length > 0) {
        setProblem({ kind: 'error', message: 'The team was not created', details: problems });
        return;
      }
      const saved = await run(async () => {
        const created = await conflictOn(
          'id',
          api<Team>('POST', '/teams', {
            body: { name: draft.name.trim(), departmentId: draft.departmentId, id: teamId },
          }),
        );
        if (assignment.strategy !== 'manual') {
          await api<Team>('PATCH', `/teams/${encodeURIComponent(created.id)}`, {
            body: { assignment },
            ...ifMatch(created.version),
          });
        }
        notify(`Created “${created.name}”`);
      });
      if (saved) {
        void directory.reload();
        navigate(adminPath('teams'));
      }
      return;
    }
    if (!existing) return;
    const patch: Record<string, unknown> = {};
    if (draft.name.trim() !== existing.name) patch.name = draft.name.trim();
    if (draft.active !== existing.active) patch.active = draft.active;
    if (draft.departmentId !== existing.departmentId) patch.departmentId = draft.departmentId;
    if (!sameJson(assignment, assignmentOf(teamDraft(existing)))) patch.assignment = assignment;
    if (Object.keys(patch).length === 0) {
      notify('Nothing to save', 'info');
      return;
    }
    const saved = await run(async () => {
      const result = await api<Team>('PATCH', `/teams/${encodeURIComponent(existing.id)}`, {
        body: patch,
        ...ifMatch(version),
      });
      notify(`Saved “${result.name}” (version ${result.version})`);
    });
    if (saved) {
      void directory.reload();
      navigate(adminPath('teams'));
    }
  };

  const picklists = (fields ?? []).filter((f) => isPicklist(f.type));

  return (
    <EditorPage
      back={adminPath('teams')}
      backLabel="Teams & agents"
      title={title}
      subtitle={
        existing ? (
          <IdVersion id={existing.id} version={version ?? existing.version} />
        ) : (
          'A group of agents inside one department.'
        )
      }
      form={form}
      labelOf={teamLabel}
      noun="team"
      onReload={() => void reloadFromServer()}
      reloading={teams.loading}
      onSubmit={submit}
    >
      <section className="form-section">
        <div className="form-grid">
          <NameAndId errors={errors} draft={draft} nameKey="name" isNew={id === null} update={update} />
          <SelectField
            label="Department"
            errors={errors}
            path="departmentId"
            value={draft.departmentId}
            onChange={(departmentId) => update({ departmentId })}
            placeholder="Choose…"
            options={(departments.items ?? []).map((d) => ({
              value: d.id,
              label: d.active ? d.name : `${d.name} (disabled)`,
            }))}
          />
        </div>
        {id !== null ? (
          <CheckboxField
            label="Enabled"
            errors={errors}
            path="active"
            checked={draft.active}
            onChange={(active) => update({ active })}
            hint="A disabled team gets no new tickets."
          />
        ) : null}
      </section>

      <fieldset className="form-section" {...errors.group('assignment', true)}>
        <legend className="section-title">Assignment</legend>
        <SelectField
          label="How tickets get an assignee"
          errors={errors}
          path="assignment.strategy"
          value={draft.strategy}
          onChange={(strategy) => update({ strategy })}
          options={optionsOf(STRATEGY_LABEL)}
          message={false}
        />
        {draft.strategy === 'skills' ? (
          <>
            <CheckboxGroup
              legend="Skills from these fields' values"
              errors={errors}
              path="assignment.skills.fromFields"
              options={picklists.map((f) => ({ value: f.id, label: f.label }))}
              selected={draft.fromFields}
              onChange={(fromFields) => update({ fromFields })}
              none="No field"
            />
            <div className="form-grid">
              <TextField
                label="Tags with this prefix name a skill"
                errors={errors}
                path="assignment.skills.tagPrefix"
                value={draft.tagPrefix}
                onChange={(tagPrefix) => update({ tagPrefix })}
                placeholder="e.g. skill:"
                hint="A tag skill:french requires the skill french."
                spellCheck={false}
              />
              <TextField
                label="Skills every ticket needs"
                errors={errors}
                path="assignment.skills.always"
                value={draft.always}
                onChange={(always) => update({ always })}
                placeholder="e.g. english"
                hint="Comma-separated."
                nested
              />
            </div>
          </>
        ) : null}
        <FieldMessage errors={errors} path="assignment" />
      </fieldset>

      <FormActions
        saving={saving}
        label={id === null ? 'Create team' : 'Save team'}
        cancelTo={adminPath('teams')}
      />
    </EditorPage>
  );
}

// ---------------------------------------------------------------------------
// Agents

interface AgentDraft {
  email: string;
  name: string;
  role: Role;
  active: boolean;
  departmentIds: string[];
  teamIds: string[];
  availability: Availability;
  capacity: string;
  skills: string;
  password: string;
}

const seedAgent = (agent: Agent) => ({ draft: agentDraft(agent), version: agent.version });

function agentDraft(agent: Agent | null): AgentDraft {
  return {
    email: agent?.email ?? '',
    name: agent?.name ?? '',
    role: agent?.role ?? 'agent',
    active: agent?.active ?? true,
    departmentIds: agent?.departmentIds ?? [],
    teamIds: agent?.teamIds ?? [],
    availability: agent?.availability ?? 'online',
    capacity: String(agent?.capacity ?? 20),
    skills: (agent?.skills ?? []).join(', '),
    password: '',
  };
}

const skillsOf = (text: string) => [...new Set(splitList(text.toLowerCase()))].sort();
const capacityOf = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

function agentLabel(path: string): string {
  const head = path.split('.')[0];
  const labels: Record<string, string> = {
    email: 'Email',
    name: 'Name',
    role: 'Role',
    active: 'Active',
    departmentIds: 'Departments',
    teamIds: 'Teams',
    availability: 'Availability',
    capacity: 'Capacity',
    skills: 'Skills',
    password: 'Password',
  };
  return (head && labels[head]) || path || 'Agent';
}

function AgentEditor({ id }: { id: string | null }) {
  const notify = useToast();
  const directory = useDirectory();
  const agents = useItems<Agent>('/agents');
  const teams = useItems<Team>('/teams');
  const departments = useItems<Department>('/departments');
  const existing = id === null ? undefined : agents.items?.find((a) => a.id === id);
  const { draft, version, setVersion, update, reseed } = useDraft(
    id === null ? agentDraft(null) : undefined,
    existing,
    seedAgent,
  );
  const form = useEditorForm();
  const { errors, saving, setProblem, run } = form;
  const title = id === null ? 'New agent' : (existing?.name ?? 'Agent');
  usePageTitle(title);

  if (!draft) {
    return (
      <EditorFallback
        back={adminPath('agents')}
        backLabel="Teams & agents"
        noun="agent"
        id={id}
        error={agents.error}
        missing={Boolean(agents.items) && !existing}
      />
    );
  }

  const self = existing?.id === directory.me.id;

  const reloadFromServer = async () => {
    if (reseed((await agents.reload())?.find((a) => a.id === id))) setProblem(undefined);
  };

  const setAvailability = (agent: Agent) =>
    api<Agent>('PUT', `/agents/${encodeURIComponent(agent.id)}/availability`, {
      body: { availability: draft.availability },
      ...ifMatch(agent.version),
    });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (id === null) {
      const email = draft.email.trim().toLowerCase();
      const problems: FieldError[] = [];
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
        problems.push({ field: 'email', message: 'Write the agent’s email address' });
      else if (agents.items?.some((a) => a.email.toLowerCase() === email))
        problems.push({ field: 'email', message: 'An agent with this email exists already' });
      if (problems.length > 0) {
        setProblem({ kind: 'error', message: 'The agent was not created', details: problems });
        return;
      }
      const saved = await run(async () => {
        const created = await conflictOn(
          'email',
          api<Agent>('POST', '/agents', {
            body: {
              email,
              name: draft.name.trim(),
              role: draft.role,
              departmentIds: draft.departmentIds,
              teamIds: draft.teamIds,
              capacity: capacityOf(draft.capacity),
              skills: skillsOf(draft.skills),
              ...(draft.password ? { password: draft.password } : {}),
            },
          }),
        );
        if (draft.availability !== created.availability) await setAvailability(created);
        notify(`Created ${created.name}`);
      });
      if (saved) {
        void directory.reload();
        navigate(adminPath('agents'));
      }
      return;
    }
    if (!existing) return;
    const patch: Record<string, unknown> = {};
    if (draft.name.trim() !== existing.name) patch.name = draft.name.trim();
    if (draft.role !== existing.role) patch.role = draft.role;
    if (draft.active !== existing.active) patch.active = draft.active;
    if (!sameJson([...draft.departmentIds].sort(), [...existing.departmentIds].sort()))
      patch.departmentIds = draft.departmentIds;
    if (!sameJson([...draft.teamIds].sort(), [...existing.teamIds].sort())) patch.teamIds = draft.teamIds;
    if (capacityOf(draft.capacity) !== existing.capacity) patch.capacity = capacityOf(draft.capacity);
    if (!sameJson(skillsOf(draft.skills), [...existing.skills].sort())) patch.skills = skillsOf(draft.skills);
    const availabilityChanged = draft.availability !== existing.availability;
    if (Object.keys(patch).length === 0 && !availabilityChanged) {
      notify('Nothing to save', 'info');
      return;
    }
    const saved = await run(async () => {
      let agent = existing;
      if (Object.keys(patch).length > 0) {
        agent = await api<Agent>('PATCH', `/agents/${encodeURIComponent(existing.id)}`, {
          body: patch,
          ...ifMatch(version),
        });
        setVersion(agent.version);
      } else {
        agent = { ...existing, version: version ?? existing.version };
      }
      if (availabilityChanged) {
        agent = await setAvailability(agent);
        setVersion(agent.version);
      }
      notify(`Saved ${agent.name} (version ${agent.version})`);
    });
    if (saved) {
      void directory.reload();
      navigate(adminPath('agents'));
    }
  };

  const departmentName = (d: string) => departments.items?.find((x) => x.id === d)?.name ?? d;
  // A team belongs to one department: the agent's departments' teams (and any the agent is in),
  // by department, then name.
  const teamOptions = (teams.items ?? [])
    .filter((t) => draft.departmentIds.includes(t.departmentId) || draft.teamIds.includes(t.id))
    .sort(
      (a, b) =>
        departmentName(a.departmentId).localeCompare(departmentName(b.departmentId)) ||
        a.name.localeCompare(b.name),
    )
    .map((t) => ({ value: t.id, label: `${t.name} (${departmentName(t.departmentId)})` }));

  return (
    <EditorPage
      back={adminPath('agents')}
      backLabel="Teams & agents"
      title={title}
      subtitle={
        existing ? (
          <>
            {existing.email} · version {version ?? existing.version}
            {self ? ' · you' : ''}
          </>
        ) : (
          'They sign in with this email address.'
        )
      }
      form={form}
      labelOf={agentLabel}
      noun="agent"
      onReload={() => void reloadFromServer()}
      reloading={agents.loading}
      onSubmit={submit}
    >
      <section className="form-section">
        <div className="form-grid">
          <TextField
            label="Name"
            errors={errors}
            path="name"
            value={draft.name}
            onChange={(name) => update({ name })}
          />
          {id === null ? (
            <TextField
              label="Email"
              errors={errors}
              path="email"
              type="email"
              value={draft.email}
              onChange={(email) => update({ email })}
              spellCheck={false}
            />
          ) : null}
          {id === null ? (
            <TextField
              label="Password (local desk)"
              errors={errors}
              path="password"
              type="password"
              value={draft.password}
              onChange={(password) => update({ password })}
              hint="Only a desk running on this machine signs in with it; on AWS the agent is mailed a temporary password."
            />
          ) : null}
          <SelectField<Role>
            label="Role"
            errors={errors}
            path="role"
            value={draft.role}
            onChange={(role) => update({ role })}
            options={optionsOf(ROLE_LABEL)}
            disabled={self}
            hint={self ? 'Another admin changes your own role.' : undefined}
          />
        </div>
        {id !== null ? (
          <CheckboxField
            label="Active"
            errors={errors}
            path="active"
            checked={draft.active}
            onChange={(active) => update({ active })}
            disabled={self}
            hint="An inactive agent cannot sign in and gets no tickets."
          />
        ) : null}
      </section>

      <section className="form-section" aria-label="Membership">
        <div className="condition-grid">
          <CheckboxGroup
            legend="Departments"
            errors={errors}
            path="departmentIds"
            options={(departments.items ?? []).map((d) => ({ value: d.id, label: d.name }))}
            selected={draft.departmentIds}
            onChange={(departmentIds) => {
              // Leaving a department leaves its teams too.
              const kept = draft.teamIds.filter((t) => {
                const team = teams.items?.find((x) => x.id === t);
                return !team || departmentIds.includes(team.departmentId);
              });
              update({ departmentIds, teamIds: kept });
            }}
            none="No department: sees the triage queue and their own tickets"
          />
          <CheckboxGroup
            legend="Teams"
            errors={errors}
            path="teamIds"
            options={teamOptions}
            selected={draft.teamIds}
            onChange={(teamIds) => update({ teamIds })}
            none={draft.departmentIds.length ? 'No team' : 'Choose a department to see its teams'}
          />
        </div>
      </section>

      <section className="form-section" aria-label="Routing">
        <div className="form-grid">
          <SelectField<Availability>
            label="Availability"
            errors={errors}
            path="availability"
            value={draft.availability}
            onChange={(availability) => update({ availability })}
            options={optionsOf(AVAILABILITY_LABEL)}
          />
          <TextField
            label="Capacity"
            errors={errors}
            path="capacity"
            value={draft.capacity}
            onChange={(capacity) => update({ capacity })}
            type="number"
            min={0}
            step={1}
            inputMode="numeric"
            hint="Most open tickets automatic assignment gives them."
          />
          <TextField
            label="Skills"
            errors={errors}
            path="skills"
            value={draft.skills}
            onChange={(skills) => update({ skills })}
            placeholder="e.g. french, laptops"
            hint="Comma-separated; the skills strategy matches them."
            nested
            spellCheck={false}
          />
        </div>
      </section>

      <FormActions
        saving={saving}
        label={id === null ? 'Create agent' : 'Save agent'}
        cancelTo={adminPath('agents')}
      />
    </EditorPage>
  );
}
