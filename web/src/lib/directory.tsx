/**
 * Who is signed in, plus the desk's agents, departments and teams: loaded
 * once after sign-in, used for pickers and to show names instead of ids.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { get, messageOf } from '../api/client.js';
import type { Agent, Department, Items, Me, Team } from '../api/types.js';
import { ErrorState, FullPageSpinner } from '../components/Feedback.js';

export interface Directory {
  me: Agent;
  agents: Agent[];
  departments: Department[];
  teams: Team[];
  agentName(id: string | null): string;
  departmentName(id: string | null): string;
  teamName(id: string | null): string;
  /** Loads agents, departments and teams again (after an admin changed them). */
  reload(): Promise<void>;
}

const DirectoryContext = createContext<Directory | null>(null);

export function useDirectory(): Directory {
  const directory = useContext(DirectoryContext);
  if (!directory) throw new Error('useDirectory needs a <DirectoryProvider>');
  return directory;
}

interface Loaded {
  me: Agent;
  agents: Agent[];
  departments: Department[];
  teams: Team[];
}

async function loadDirectory(signal: AbortSignal): Promise<Loaded> {
  const [me, agents, departments, teams] = await Promise.all([
    get<Me>('/me', signal),
    get<Items<Agent>>('/agents', signal).catch(() => ({ items: [] as Agent[] })),
    get<Items<Department>>('/departments', signal).catch(() => ({ items: [] as Department[] })),
    get<Items<Team>>('/teams', signal).catch(() => ({ items: [] as Team[] })),
  ]);
  const agentList = agents.items.some((a) => a.id === me.agent.id)
    ? agents.items
    : [me.agent, ...agents.items];
  return { me: me.agent, agents: agentList, departments: departments.items, teams: teams.items };
}

export function DirectoryProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<{ data?: Loaded; error?: string }>({});
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => {
    setState({});
    setAttempt((n) => n + 1);
  }, []);

  useEffect(() => {
    void attempt;
    const controller = new AbortController();
    loadDirectory(controller.signal).then(
      (data) => setState({ data }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ error: messageOf(error) });
      },
    );
    return () => controller.abort();
  }, [attempt]);

  const reload = useCallback(async () => {
    try {
      const data = await loadDirectory(new AbortController().signal);
      setState({ data });
    } catch {
      // The desk keeps the names it had; the next reload or sign-in tries again.
    }
  }, []);

  const value = useMemo<Directory | null>(() => {
    const data = state.data;
    if (!data) return null;
    const agents = new Map(data.agents.map((a) => [a.id, a]));
    const departments = new Map(data.departments.map((d) => [d.id, d]));
    const teams = new Map(data.teams.map((t) => [t.id, t]));
    return {
      ...data,
      agentName: (id) => (id === null ? 'Unassigned' : (agents.get(id)?.name ?? 'Unknown agent')),
      departmentName: (id) => (id === null ? 'No department' : (departments.get(id)?.name ?? id)),
      teamName: (id) => (id === null ? 'No team' : (teams.get(id)?.name ?? id)),
      reload,
    };
  }, [state.data, reload]);

  if (state.error) {
    return <ErrorState title="The desk could not be loaded" message={state.error} onRetry={retry} />;
  }
  if (!value) return <FullPageSpinner label="Loading your desk…" />;
  return <DirectoryContext.Provider value={value}>{children}</DirectoryContext.Provider>;
}
