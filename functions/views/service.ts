/**
 * Saved views and canned responses: the use cases behind `/views` and
 * `/canned-responses`.
 *
 * Views. Every agent has the built-in views (`BUILT_IN_VIEWS`: my open
 * tickets, unassigned, spam), the desk's shared views (saved by supervisors
 * and admins) and their own personal views; nobody ever reads another
 * agent's personal views (they live in the owner's partition). Each view in
 * the list carries a count of the tickets the agent would see in it.
 *
 * Reading a view: `planViewRead` picks the index partition, the rest of the
 * filters and the agent's visibility are checked on each ticket read. Order:
 * - `updated` on a status-sorted index (every built-in but Spam, and any
 *   view not keyed on a tag) and `created` on the tag index: exact, at any
 *   size. Each status segment is read newest first and the segments are
 *   merged; the cursor is the last ticket's (time, id), so a page never
 *   repeats or skips a ticket that did not change meanwhile.
 * - any other sort (`priority`, `created` off the tag index, `updated` on
 *   the tag index): the first `WINDOW` matching tickets in index order
 *   (triage order: new first, then open, ...; by creation for a tag) are
 *   sorted with `sortForView` and paged with a cursor on the sort key.
 *   Tickets past that window are not listed by such a view: narrow it.
 *
 * Counting: `planViewCount` puts as much as it can in the key condition (a
 * status set that is one range of the triage order is a `BETWEEN`); when
 * nothing is left to check, the index counts alone (`Select: COUNT`), else
 * the count reads only the attributes the check needs. Either way it stops
 * past `COUNT_CAP` matches (or after `COUNT_BUDGET` items examined) and says
 * the count is an estimate, a lower bound ("1,000+").
 */
import { canSuperviseDesk, type Principal } from '../domain/agents/model.js';
import { type CannedResponse, parseCannedResponse, searchCanned } from '../domain/macros/canned.js';
import type { Scope } from '../domain/macros/model.js';
import { renderTemplate } from '../domain/macros/templates.js';
import type { Deps, Page } from '../domain/ports.js';
import { templateContextFor } from '../domain/rules/plan.js';
import { Conflict, Forbidden, NotFoundError, ValidationFailed } from '../domain/shared/errors.js';
import { expectedVersionFor } from '../domain/shared/versions.js';
import type { Ticket } from '../domain/tickets/model.js';
import { getTicket } from '../domain/tickets/use-cases.js';
import {
  compareOrderKeys,
  orderKeyOf,
  planViewCount,
  planViewRead,
  predicateAttributes,
  type ViewReadPlan,
  viewPredicate,
} from '../domain/views/listing.js';
import {
  BUILT_IN_VIEWS,
  parseSavedView,
  type SavedView,
  sortForView,
  type ViewFilters,
} from '../domain/views/model.js';
import type {
  CountResult,
  OrderKey,
  Owner,
  StoredCanned,
  StoredView,
  ViewStore,
  ViewTicketReader,
} from '../domain/views/ports.js';

/** Counts stop past this many matches and are shown as "1,000+". */
export const COUNT_CAP = 1000;
/** Items a count examines at most (when the index cannot count alone). */
export const COUNT_BUDGET = 5000;
/** Counts of one GET /views running at once. */
const COUNT_CONCURRENCY = 8;
/** Matching tickets sorted in memory for a sort the index does not give. */
export const WINDOW = 1000;
/** Items examined at most to fill that window. */
const WINDOW_BUDGET = 5000;
/** Items examined at most per status segment for one page of an ordered view. */
const SEGMENT_BUDGET = 1000;

export type ViewsStore = ViewStore & ViewTicketReader;

/** A view as the API shows it: built-in ones have no version. */
export interface ViewItem {
  id: string;
  name: string;
  scope: Scope;
  ownerId?: string;
  filters: ViewFilters;
  sort: SavedView['sort'];
  builtIn: boolean;
  version?: number;
  updatedAt?: string;
  updatedBy?: string;
}

export interface ViewWithCount extends ViewItem {
  count: number;
  countIsEstimate: boolean;
}

export type CannedItem = CannedResponse & { version: number; updatedAt: string; updatedBy: string };

const isBuiltIn = (id: string): id is keyof typeof BUILT_IN_VIEWS => Object.hasOwn(BUILT_IN_VIEWS, id);
const ViewNotFound = (id: string) => new NotFoundError('View', id);
const CannedNotFound = (id: string) => new NotFoundError('Canned response', id);

function builtInItem(id: keyof typeof BUILT_IN_VIEWS): ViewItem {
  const view = BUILT_IN_VIEWS[id];
  return {
    id: view.id,
    name: view.name,
    scope: view.scope,
    filters: structuredClone(view.filters) as ViewFilters,
    sort: view.sort,
    builtIn: true,
  };
}

function storedItem(stored: StoredView): ViewItem {
  const { view } = stored;
  return {
    ...view,
    builtIn: false,
    version: stored.version,
    updatedAt: stored.updatedAt,
    updatedBy: stored.updatedBy,
  };
}

const byName = (a: ViewItem, b: ViewItem) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/** Runs `task` over `items` with at most `limit` at once, keeping the order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const builtInItems = () => (Object.keys(BUILT_IN_VIEWS) as (keyof typeof BUILT_IN_VIEWS)[]).map(builtInItem);

/** The stored views an agent has: shared ones (by name), then their personal ones (by name). */
async function storedViews(store: ViewStore, principal: Principal): Promise<ViewItem[]> {
  const stored = (await store.listViews(principal.agentId)).map(storedItem);
  return [
    ...stored.filter((v) => v.scope === 'shared').sort(byName),
    ...stored.filter((v) => v.scope === 'personal' && v.ownerId === principal.agentId).sort(byName),
  ];
}

/** How many tickets the agent sees in a view (capped; see the module comment). */
export async function countView(
  reader: ViewTicketReader,
  view: Pick<SavedView, 'filters'>,
  principal: Principal,
): Promise<CountResult> {
  const plan = planViewCount(view, principal);
  return reader.count(plan.source, {
    statuses: plan.statuses,
    cap: COUNT_CAP,
    budget: COUNT_BUDGET,
    keep: viewPredicate(plan, principal),
    attributes: predicateAttributes(plan),
  });
}

/**
 * `GET /views`: every view the agent has, each with its count. The counts
 * run in parallel, the built-ins' while the stored views are still read.
 */
export async function listViewsWithCounts(store: ViewsStore, principal: Principal): Promise<ViewWithCount[]> {
  const count = (view: ViewItem) => countView(store, view, principal);
  const builtIns = builtInItems();
  const [builtInCounts, stored] = await Promise.all([
    Promise.all(builtIns.map(count)),
    storedViews(store, principal),
  ]);
  const storedCounts = await mapLimit(stored, COUNT_CONCURRENCY, count);
  const counts = [...builtInCounts, ...storedCounts];
  return [...builtIns, ...stored].map((view, i) => {
    const { count, estimate } = counts[i] as CountResult;
    return { ...view, count, countIsEstimate: estimate };
  });
}

/** A built-in view, the agent's personal view, or a shared one, by id (personal first). */
export async function resolveView(store: ViewStore, principal: Principal, id: string): Promise<ViewItem> {
  if (isBuiltIn(id)) return builtInItem(id);
  const [personal, shared] = await Promise.all([
    store.getView(principal.agentId, id),
    store.getView(null, id),
  ]);
  const found = personal ?? shared;
  if (!found) throw ViewNotFound(id);
  return storedItem(found);
}

export interface ViewInput {
  name: string;
  scope: Scope;
  filters: ViewFilters;
  sort?: SavedView['sort'];
}

function reservedId(id: string, what: string): Conflict {
  return new Conflict(`"${id}" is the id of a built-in view; ${what}`);
}

/**
 * Checks who may save an item in a scope and that the id is free in the
 * other scope the agent sees: shared items by supervisors and admins,
 * personal ones by anybody, for themselves.
 */
async function checkSlot<T>(
  principal: Principal,
  id: string,
  scope: Scope,
  what: string,
  get: (owner: Owner, id: string) => Promise<T | null>,
): Promise<{ owner: Owner; existing: T | null }> {
  if (scope === 'shared' && !canSuperviseDesk(principal)) {
    throw new Forbidden(`Only supervisors and admins save shared ${what}s; save it as a personal one`);
  }
  const owner = scope === 'personal' ? principal.agentId : null;
  const [existing, other] = await Promise.all([
    get(owner, id),
    get(owner === null ? principal.agentId : null, id),
  ]);
  if (other) {
    throw new Conflict(
      scope === 'shared'
        ? `You have a personal ${what} with the id "${id}"; pick another id`
        : `A shared ${what} has the id "${id}"; pick another id`,
    );
  }
  return { owner, existing };
}

/**
 * `PUT /views/{id}`: creates or replaces a shared view (supervisors and
 * admins) or a personal view of the caller. Built-in ids are reserved;
 * an id is one view among those the agent sees (a shared and a personal
 * view cannot share it). With `expectedVersion` (If-Match) a stale version
 * is refused.
 */
export async function saveView(
  deps: Pick<Deps, 'clock'>,
  store: ViewStore,
  principal: Principal,
  id: string,
  input: ViewInput,
  expectedVersion: number | null,
): Promise<ViewItem> {
  if (isBuiltIn(id)) throw reservedId(id, 'save your view under another id');
  const { owner, existing } = await checkSlot(principal, id, input.scope, 'view', (o, i) =>
    store.getView(o, i),
  );
  const view = parseSavedView({ ...input, id, ...(owner === null ? {} : { ownerId: owner }) });
  const expected = expectedVersionFor(expectedVersion, existing?.version);
  const now = deps.clock.now();
  const version = await store.putView(view, expected, principal.email, now);
  return storedItem({ view, version, updatedAt: now.toISOString(), updatedBy: principal.email });
}

/** `DELETE /views/{id}`: the agent's personal view, or a shared one (supervisors and admins). */
export async function deleteView(
  store: ViewStore,
  principal: Principal,
  id: string,
  expectedVersion: number | null,
): Promise<void> {
  if (isBuiltIn(id)) throw reservedId(id, 'built-in views cannot be deleted');
  const view = await resolveView(store, principal, id);
  if (view.scope === 'shared' && !canSuperviseDesk(principal)) {
    throw new Forbidden('Only supervisors and admins delete shared views');
  }
  const owner = view.scope === 'personal' ? principal.agentId : null;
  await store.deleteView(owner, id, expectedVersion ?? (view.version as number));
}

// --- Reading a view's tickets -------------------------------------------------------------

interface OrderedCursor {
  m: 'o';
  at: string;
  id: string;
}
interface WindowCursor {
  m: 'w';
  u: string;
  c: string;
  p: Ticket['priority'];
  id: string;
}

function encodeCursor(cursor: OrderedCursor | WindowCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(raw: string | undefined, mode: 'o' | 'w'): OrderedCursor | WindowCursor | undefined {
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const record = (parsed ?? {}) as Record<string, unknown>;
  const strings = (...names: string[]) => names.every((n) => typeof record[n] === 'string');
  if (record.m === mode && mode === 'o' && strings('at', 'id')) return record as unknown as OrderedCursor;
  if (record.m === mode && mode === 'w' && strings('u', 'c', 'p', 'id'))
    return record as unknown as WindowCursor;
  throw new ValidationFailed('The cursor is not valid for this view; start again without it', {
    field: 'cursor',
  });
}

/**
 * `GET /views/{id}/tickets`: one page of the tickets the agent sees in a
 * view, in the view's order (see the module comment for how far each sort
 * reaches).
 */
export async function listViewTickets(
  store: ViewsStore,
  principal: Principal,
  id: string,
  options: { limit: number; cursor?: string },
): Promise<Page<Ticket>> {
  const view = await resolveView(store, principal, id);
  const plan = planViewRead(view, principal);
  const predicate = viewPredicate(plan, principal);
  const keep = predicate ?? (() => true);
  return plan.ordered
    ? readOrdered(store, plan, keep, options)
    : readWindow(store, plan, view.sort, keep, options);
}

/** Merges the status segments newest first (or reads the tag partition by creation). */
async function readOrdered(
  reader: ViewTicketReader,
  plan: ViewReadPlan,
  keep: (ticket: Ticket) => boolean,
  options: { limit: number; cursor?: string },
): Promise<Page<Ticket>> {
  const tagIndex = plan.segments === null;
  const cursor = decodeCursor(options.cursor, 'o') as OrderedCursor | undefined;
  const after: OrderKey | undefined = cursor ? { at: cursor.at, id: cursor.id } : undefined;
  const reads = await Promise.all(
    (plan.segments ?? [null]).map((status) =>
      reader.readSegment(plan.source, status, {
        ...(after ? { after } : {}),
        want: options.limit,
        budget: SEGMENT_BUDGET,
        keep,
      }),
    ),
  );
  // Below the frontier of a segment that was not read to its end, tickets of it may be missing:
  // the page stops at the highest such frontier.
  let bound: OrderKey | null = null;
  for (const read of reads) {
    if (read.exhausted || read.frontier === null) continue;
    if (bound === null || compareOrderKeys(read.frontier, bound) < 0) bound = read.frontier;
  }
  const merged = reads
    .flatMap((read) => read.tickets)
    .sort((a, b) => compareOrderKeys(orderKeyOf(a, tagIndex), orderKeyOf(b, tagIndex)));
  const safe =
    bound === null ? merged : merged.filter((t) => compareOrderKeys(orderKeyOf(t, tagIndex), bound) <= 0);
  const items = safe.slice(0, options.limit);
  const more = safe.length > items.length || bound !== null;
  const last = items.at(-1);
  const next = last ? orderKeyOf(last, tagIndex) : bound;
  return { items, nextCursor: more && next ? encodeCursor({ m: 'o', at: next.at, id: next.id }) : null };
}

type SortFields = Pick<Ticket, 'updatedAt' | 'createdAt' | 'priority' | 'id'>;

/** Reads up to WINDOW matching tickets in index order, sorts them for the view, and pages after the cursor. */
async function readWindow(
  reader: ViewTicketReader,
  plan: ViewReadPlan,
  sort: SavedView['sort'],
  keep: (ticket: Ticket) => boolean,
  options: { limit: number; cursor?: string },
): Promise<Page<Ticket>> {
  const cursor = decodeCursor(options.cursor, 'w') as WindowCursor | undefined;
  const collected: Ticket[] = [];
  let examined = 0;
  for (const status of plan.segments ?? [null]) {
    const budget = WINDOW_BUDGET - examined;
    if (collected.length >= WINDOW || budget <= 0) break;
    const read = await reader.readSegment(plan.source, status, {
      want: WINDOW - collected.length,
      budget,
      keep,
    });
    collected.push(...read.tickets);
    examined += read.examined;
    if (!read.exhausted) break;
  }
  const marker: SortFields | null = cursor
    ? { updatedAt: cursor.u, createdAt: cursor.c, priority: cursor.p, id: cursor.id }
    : null;
  const sorted = sortForView<SortFields>(marker ? [...collected, marker] : collected, sort);
  const rest = (marker ? sorted.slice(sorted.indexOf(marker) + 1) : sorted) as Ticket[];
  const items = rest.slice(0, options.limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rest.length > items.length && last
        ? encodeCursor({ m: 'w', u: last.updatedAt, c: last.createdAt, p: last.priority, id: last.id })
        : null,
  };
}

// --- Canned responses ---------------------------------------------------------------------

function cannedItem(stored: StoredCanned): CannedItem {
  return {
    ...stored.canned,
    version: stored.version,
    updatedAt: stored.updatedAt,
    updatedBy: stored.updatedBy,
  };
}

/**
 * `GET /canned-responses`: the desk's shared responses and the agent's
 * own, ranked by `searchCanned` for a query (title, tags, body), by title
 * without one.
 */
export async function listCannedResponses(
  store: ViewStore,
  principal: Principal,
  options: { q?: string; limit: number },
): Promise<CannedItem[]> {
  const items = (await store.listCanned(principal.agentId)).map(cannedItem);
  return searchCanned(items, options.q ?? '', { agentId: principal.agentId }).slice(0, options.limit);
}

export interface CannedInput {
  title: string;
  body: string;
  tags?: string[];
  scope: Scope;
}

/** The agent's personal response, or a shared one, by id (personal first). */
async function resolveCanned(store: ViewStore, principal: Principal, id: string): Promise<StoredCanned> {
  const [personal, shared] = await Promise.all([
    store.getCanned(principal.agentId, id),
    store.getCanned(null, id),
  ]);
  const found = personal ?? shared;
  if (!found) throw CannedNotFound(id);
  return found;
}

/** `PUT /canned-responses/{id}`: shared ones by supervisors and admins, personal ones for the caller. */
export async function saveCannedResponse(
  deps: Pick<Deps, 'clock'>,
  store: ViewStore,
  principal: Principal,
  id: string,
  input: CannedInput,
  expectedVersion: number | null,
): Promise<CannedItem> {
  const { owner, existing } = await checkSlot(principal, id, input.scope, 'canned response', (o, i) =>
    store.getCanned(o, i),
  );
  const canned = parseCannedResponse({ ...input, id, ...(owner === null ? {} : { ownerId: owner }) });
  const expected = expectedVersionFor(expectedVersion, existing?.version);
  const now = deps.clock.now();
  const version = await store.putCanned(canned, expected, principal.email, now);
  return cannedItem({ canned, version, updatedAt: now.toISOString(), updatedBy: principal.email });
}

/** `DELETE /canned-responses/{id}`: the agent's own, or a shared one (supervisors and admins). */
export async function deleteCannedResponse(
  store: ViewStore,
  principal: Principal,
  id: string,
  expectedVersion: number | null,
): Promise<void> {
  const found = await resolveCanned(store, principal, id);
  if (found.canned.scope === 'shared' && !canSuperviseDesk(principal)) {
    throw new Forbidden('Only supervisors and admins delete shared canned responses');
  }
  const owner = found.canned.scope === 'personal' ? principal.agentId : null;
  await store.deleteCanned(owner, id, expectedVersion ?? found.version);
}

/**
 * `POST /canned-responses/{id}/render`: the response's body with its
 * placeholders filled for a ticket the agent may see (a hidden ticket is
 * not found): the customer as on the ticket, the ticket, the agent asking,
 * the desk. Placeholders were checked when the response was saved; a
 * missing value gets the fallback of `templates.ts` ("Hi there").
 */
export async function renderCannedResponse(
  deps: Deps,
  store: ViewStore,
  principal: Principal,
  id: string,
  ticketId: string,
  deskName: string | null,
): Promise<{ body: string }> {
  const { canned } = await resolveCanned(store, principal, id);
  const ticket = await getTicket(deps, principal, ticketId);
  const context = templateContextFor(
    ticket,
    {},
    {
      agent: { id: principal.agentId, name: principal.name },
      desk: { name: deskName },
    },
  );
  return { body: renderTemplate(canned.body, context) };
}
