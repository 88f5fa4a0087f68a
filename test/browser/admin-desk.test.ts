/**
 * Organising the desk through the agent SPA only, in a real Chromium against
 * its own local desk: an admin creates a department (a duplicate id is
 * refused next to the ID field first) with a support address, a picklist
 * field whose values belong to that department, the department's layout
 * (the field added, moved up with the keyboard, required), and a workflow
 * rule (the server's error for a bad tag lands on the action row first).
 * Then a ticket created over the API in that department gets the rule's
 * effects, shown on its ticket page: priority, tag, the rule's note and the
 * timeline entry naming the rule. Playwright's auto-waiting locators and
 * `eventually` do the waiting: no fixed sleeps. Screenshots land in
 * test-results/ (git-ignored).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, Department, Team } from '../../functions/domain/agents/model.js';
import type { FieldDefinition } from '../../functions/domain/fields/model.js';
import type { StoredWorkflowRule } from '../../functions/domain/rules/ports.js';
import type { Ticket, TimelineEntry } from '../../functions/domain/tickets/model.js';
import { type LocalDesk, startLocal } from '../../local/runtime.js';
import { eventually } from '../support/eventually.js';
import { buildSpaIfMissing, launchChromium, RESULTS } from './support.js';

const TEST_TIMEOUT = 60_000;

let desk: LocalDesk;
let dataDir: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let adminToken: string;
const problems: string[] = [];

const DEPARTMENT = { id: 'books', name: 'Books' };
const FIELD = { id: 'genre', label: 'Genre', values: ['Fiction', 'Non-fiction', 'Comics'] };
const RULE = { id: 'damaged-books', name: 'Damaged books' };

async function login(email: string): Promise<string> {
  const response = await fetch(`${desk.url}/local/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'demo' }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

async function apiCall<T>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${desk.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminToken}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function apiGet<T>(path: string): Promise<T> {
  const { status, body } = await apiCall<T>('GET', path);
  expect(status).toBe(200);
  return body;
}

/** Drops the browser's log lines for responses the test provoked on purpose. */
function forgive(status: string): void {
  problems.splice(0, problems.length, ...problems.filter((p) => !p.includes(status)));
}

/** `locator` shows `text` (waiting for it: names arrive with lists loaded on their own). */
async function shows(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await locator.filter({ hasText: text }).waitFor();
}

/** The element that has the keyboard's focus is `locator`. */
async function focused(locator: ReturnType<Page['locator']>): Promise<void> {
  await locator.and(page.locator(':focus')).waitFor();
}

beforeAll(async () => {
  await buildSpaIfMissing();
  dataDir = mkdtempSync(join(tmpdir(), 'desk-browser-admin-'));
  desk = await startLocal({ port: 0, jvm: 'fast-start', dataDir, inMemory: true, seed: true, quiet: true });
  adminToken = await login('admin@demo.local');
  browser = await launchChromium();
  context = await browser.newContext({ baseURL: desk.url, viewport: { width: 1440, height: 1000 } });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await page.goto('/');
  await page.getByLabel('Email').fill('admin@demo.local');
  await page.getByLabel('Password').fill('demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await desk?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('organising the desk in the admin screens', () => {
  it(
    'creates a department (a taken id is refused at the ID field) and gives it a support address',
    async () => {
      const admin = page.getByRole('navigation', { name: 'Admin' });
      await admin.getByRole('link', { name: 'Departments' }).click();
      await page.getByRole('heading', { level: 1, name: 'Departments' }).waitFor();
      await page.getByRole('link', { name: 'Returns' }).waitFor();
      await page.getByRole('link', { name: 'New department' }).click();
      await page.getByRole('heading', { level: 1, name: 'New department' }).waitFor();

      // The id follows the name until edited; an id in use is named at the ID field.
      await page.getByLabel('Name', { exact: true }).fill(DEPARTMENT.name);
      const idInput = page.getByLabel('ID', { exact: true });
      expect(await idInput.inputValue()).toBe(DEPARTMENT.id);
      await idInput.fill('returns');
      await page.getByRole('button', { name: 'Create department' }).click();
      const summary = page.getByRole('alert').filter({ hasText: 'The department was not saved' });
      await summary.getByRole('button', { name: 'ID' }).waitFor();
      expect(await idInput.getAttribute('aria-invalid')).toBe('true');
      const idError = page
        .locator('.field-error')
        .filter({ hasText: 'A department with this id exists already' });
      await idError.waitFor();
      expect((await idInput.getAttribute('aria-describedby'))?.split(' ')).toContain(
        await idError.getAttribute('id'),
      );
      await summary.getByRole('button', { name: 'ID' }).click();
      await focused(idInput);
      await page.screenshot({ path: join(RESULTS, 'admin-desk-department-error.png'), fullPage: true });

      await idInput.fill(DEPARTMENT.id);
      await page.getByRole('button', { name: 'Create department' }).click();
      await page.getByRole('heading', { level: 1, name: DEPARTMENT.name }).waitFor();
      await page
        .getByRole('status')
        .filter({ hasText: `Created “${DEPARTMENT.name}”` })
        .waitFor();

      // A support address, added with the keyboard (Enter in the field), saved with the department.
      const address = page.getByLabel('New support address');
      await address.fill('books@demo.local');
      await address.press('Enter');
      await page.getByRole('list', { name: 'Support addresses' }).getByText('books@demo.local').waitFor();
      await focused(address);
      await page.getByRole('button', { name: 'Save department' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `Saved “${DEPARTMENT.name}” (version 2)` })
        .waitFor();

      const saved = await apiGet<Department>(`/departments/${DEPARTMENT.id}`);
      expect(saved).toMatchObject({
        id: DEPARTMENT.id,
        name: DEPARTMENT.name,
        active: true,
        supportAddresses: ['books@demo.local'],
        version: 2,
        updatedBy: 'admin@demo.local',
      });
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'creates a picklist field whose values belong to the new department',
    async () => {
      await page
        .getByRole('navigation', { name: 'Admin' })
        .getByRole('link', { name: 'Custom fields' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Custom fields' }).waitFor();
      await page.getByRole('link', { name: 'Sub-category' }).waitFor();
      await page.getByRole('link', { name: 'New field' }).click();
      await page.getByRole('heading', { level: 1, name: 'New custom field' }).waitFor();

      await page.getByLabel('Label', { exact: true }).fill(FIELD.label);
      expect(await page.getByLabel('ID', { exact: true }).inputValue()).toBe(FIELD.id);
      await page.getByLabel('Type').selectOption('picklist');
      await page.getByLabel('Department with values of its own').selectOption(DEPARTMENT.id);
      await page.getByRole('button', { name: 'Add values for this department' }).click();
      const values = page.getByLabel(`Values in ${DEPARTMENT.name} (one a line)`);
      await focused(values);
      await values.fill(FIELD.values.join('\n'));
      await page.getByRole('button', { name: 'Save field' }).click();

      await page.getByRole('heading', { level: 1, name: 'Custom fields' }).waitFor();
      await page
        .getByRole('status')
        .filter({ hasText: `Saved “${FIELD.label}” (version 1)` })
        .waitFor();
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: FIELD.label }) });
      // Department names arrive with the departments list: wait for them.
      await shows(row, `${DEPARTMENT.name}: ${FIELD.values.join(', ')}`);

      const { items } = await apiGet<{ items: FieldDefinition[] }>('/fields');
      expect(items.find((f) => f.id === FIELD.id)).toMatchObject({
        label: FIELD.label,
        type: 'picklist',
        optionsByDepartment: { [DEPARTMENT.id]: FIELD.values },
        active: true,
      });
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    "builds the department's layout: two fields, reordered with the keyboard, one required",
    async () => {
      await page
        .getByRole('navigation', { name: 'Admin' })
        .getByRole('link', { name: 'Departments' })
        .click();
      await page.getByRole('link', { name: DEPARTMENT.name, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: DEPARTMENT.name }).waitFor();
      const layout = page.getByRole('list', { name: `Fields of ${DEPARTMENT.name}` });
      await page.getByText('No custom fields in this department yet.').waitFor();

      const toAdd = page.getByLabel('Field to add');
      await toAdd.selectOption({ label: 'Order number (Text)' });
      await page.getByRole('button', { name: 'Add field' }).click();
      await focused(page.getByRole('checkbox', { name: 'Order number is required' }));
      await toAdd.selectOption({ label: `${FIELD.label} (Picklist)` });
      await page.getByRole('button', { name: 'Add field' }).click();
      const required = page.getByRole('checkbox', { name: `${FIELD.label} is required` });
      await focused(required);
      await page.keyboard.press('Space');
      expect(await required.isChecked()).toBe(true);

      // Up with the keyboard: the button keeps focus... until the row is first, then its twin takes it.
      const up = page.getByRole('button', { name: `Move ${FIELD.label} up` });
      await up.focus();
      await page.keyboard.press('Enter');
      await focused(page.getByRole('button', { name: `Move ${FIELD.label} down` }));
      expect(await up.isDisabled()).toBe(true);
      const names = await layout.locator('.layout-field-name').allTextContents();
      expect(names).toEqual([FIELD.label, 'Order number']);

      await page.getByRole('button', { name: 'Save layout' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `Saved the layout of “${DEPARTMENT.name}” (version 1)` })
        .waitFor();
      await page.screenshot({ path: join(RESULTS, 'admin-desk-layout.png'), fullPage: true });

      const saved = await apiGet<{ fields: { fieldId: string; required: boolean }[]; version: number }>(
        `/departments/${DEPARTMENT.id}/layout`,
      );
      expect(saved).toMatchObject({
        version: 1,
        fields: [
          { fieldId: FIELD.id, required: true },
          { fieldId: 'order_number', required: false },
        ],
      });
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    "creates a workflow rule (the server's error shows on the action row first)",
    async () => {
      await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Rules' }).click();
      await page.getByRole('heading', { level: 1, name: 'Workflow rules' }).waitFor();
      await page.getByRole('link', { name: 'New rule' }).click();
      await page.getByRole('heading', { level: 1, name: 'New workflow rule' }).waitFor();

      await page.getByLabel('Name', { exact: true }).fill(RULE.name);
      expect(await page.getByLabel('ID', { exact: true }).inputValue()).toBe(RULE.id);
      expect(await page.getByLabel('When').inputValue()).toBe('ticket_created');

      // All of: department is Books, subject contains "damaged".
      await page.getByRole('button', { name: 'Add a condition to “All of these”' }).click();
      const field1 = page.getByLabel('All condition 1: field');
      await focused(field1);
      await field1.selectOption('departmentId');
      expect(await page.getByLabel('All condition 1: operator').inputValue()).toBe('is');
      await page.getByLabel('All condition 1: value').selectOption({ label: DEPARTMENT.name });
      await page.getByRole('button', { name: 'Add a condition to “All of these”' }).click();
      await page.getByLabel('All condition 2: field').selectOption('subject');
      await page.getByLabel('All condition 2: operator').selectOption('contains');
      await page.getByLabel('All condition 2: value').fill('damaged');

      // Action 1 (set the priority) is there already: high. Then a tag and a note.
      expect(await page.getByLabel('Action 1: type').inputValue()).toBe('set_priority');
      await page.getByLabel('Action 1: priority').selectOption('high');
      await page.getByRole('button', { name: 'Add action' }).click();
      await page.getByLabel('Action 2: type').selectOption('add_tags');
      await page.getByLabel('Action 2: tags').fill('damaged!');
      await page.getByRole('button', { name: 'Add action' }).click();
      await page.getByLabel('Action 3: type').selectOption('add_note');
      await page.getByLabel('Action 3: note').fill('Ask for a photo of the damage ({{customer.name}}).');

      // The server refuses the tag; its message is on the row, and the summary takes the keyboard there.
      await page.getByRole('button', { name: 'Save rule' }).click();
      const summary = page.getByRole('alert').filter({ hasText: 'The rule was not saved' });
      await summary.waitFor();
      const tags = page.getByLabel('Action 2: tags');
      expect(await tags.getAttribute('aria-invalid')).toBe('true');
      const rowError = page
        .getByRole('listitem')
        .filter({ has: tags })
        .locator('.field-error')
        .filter({ hasText: 'tags are single words' });
      await rowError.waitFor();
      await summary
        .getByRole('button', { name: /^Action 2: tags/ })
        .first()
        .click();
      await focused(tags);
      forgive('400 (Bad Request)');
      await page.screenshot({ path: join(RESULTS, 'admin-desk-rule-error.png'), fullPage: true });

      await tags.fill('damaged');
      await page.getByRole('button', { name: 'Save rule' }).click();
      await page.getByRole('heading', { level: 1, name: 'Workflow rules' }).waitFor();
      await page
        .getByRole('status')
        .filter({ hasText: `Saved “${RULE.name}” (version 1)` })
        .waitFor();
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: RULE.name }) });
      for (const text of [
        'A ticket is created',
        `Department is ${DEPARTMENT.name}`,
        'Subject contains damaged',
        'Priority → High',
        'Add tags damaged',
        'Internal note',
        'Active',
      ]) {
        await shows(row, text);
      }
      await page.screenshot({ path: join(RESULTS, 'admin-desk-rules.png'), fullPage: true });

      const { items } = await apiGet<{ items: StoredWorkflowRule[] }>('/workflow-rules');
      expect(items.find((r) => r.rule.id === RULE.id)?.rule).toMatchObject({
        name: RULE.name,
        active: true,
        trigger: 'ticket_created',
        conditions: {
          all: [
            { field: 'departmentId', operator: 'is', value: DEPARTMENT.id },
            { field: 'subject', operator: 'contains', value: 'damaged' },
          ],
          any: [],
        },
        actions: [
          { type: 'set_priority', priority: 'high' },
          { type: 'add_tags', tags: ['damaged'] },
          { type: 'add_note', body: 'Ask for a photo of the damage ({{customer.name}}).' },
        ],
      });
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'creates a team in the department with round robin, an agent in it, and changes an agent',
    async () => {
      const admin = page.getByRole('navigation', { name: 'Admin' });
      await admin.getByRole('link', { name: 'Teams & agents' }).click();
      await page.getByRole('heading', { level: 1, name: 'Teams & agents' }).waitFor();
      await page.getByRole('link', { name: 'New team' }).click();
      await page.getByRole('heading', { level: 1, name: 'New team' }).waitFor();
      await page.getByLabel('Name', { exact: true }).fill('Book club');
      expect(await page.getByLabel('ID', { exact: true }).inputValue()).toBe('book-club');
      await page.getByLabel('Department').selectOption(DEPARTMENT.id);
      await page.getByLabel('How tickets get an assignee').selectOption('round_robin');
      await page.getByRole('button', { name: 'Create team' }).click();
      await page.getByRole('heading', { level: 1, name: 'Teams & agents' }).waitFor();
      const teamRow = page
        .getByRole('table', { name: 'Teams' })
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: 'Book club' }) });
      await teamRow.getByText('Round robin').waitFor();
      await shows(teamRow, DEPARTMENT.name);

      await page.getByRole('link', { name: 'New agent' }).click();
      await page.getByRole('heading', { level: 1, name: 'New agent' }).waitFor();
      await page.getByLabel('Name', { exact: true }).fill('Nora Novel');
      await page.getByLabel('Email').fill('nora@demo.local');
      await page.getByLabel('Password (local desk)').fill('novel-pass');
      await page.getByRole('group', { name: 'Departments' }).getByLabel(DEPARTMENT.name).check();
      await page.getByRole('group', { name: 'Teams' }).getByLabel(`Book club (${DEPARTMENT.name})`).check();
      await page.getByLabel('Availability').selectOption('away');
      await page.getByLabel('Capacity').fill('5');
      await page.getByLabel('Skills').fill('Fiction, comics');
      await page.getByRole('button', { name: 'Create agent' }).click();
      await page.getByRole('heading', { level: 1, name: 'Teams & agents' }).waitFor();
      await page.getByRole('table', { name: 'Agents' }).getByRole('link', { name: 'Nora Novel' }).waitFor();

      const { items: agents } = await apiGet<{ items: Agent[] }>('/agents');
      expect(agents.find((a) => a.email === 'nora@demo.local')).toMatchObject({
        name: 'Nora Novel',
        role: 'agent',
        active: true,
        departmentIds: [DEPARTMENT.id],
        teamIds: ['book-club'],
        availability: 'away',
        capacity: 5,
        skills: ['comics', 'fiction'],
      });
      const { items: teams } = await apiGet<{ items: Team[] }>('/teams');
      expect(teams.find((t) => t.id === 'book-club')).toMatchObject({
        name: 'Book club',
        departmentId: DEPARTMENT.id,
        active: true,
        assignment: { strategy: 'round_robin' },
      });
      // The new agent signs in with the password the admin gave.
      const signIn = await fetch(`${desk.url}/local/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nora@demo.local', password: 'novel-pass' }),
      });
      expect(signIn.status).toBe(200);

      // An existing agent: a change of settings (PATCH) and of availability (PUT), one save.
      await page.getByRole('table', { name: 'Agents' }).getByRole('link', { name: 'Sam Agent' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sam Agent' }).waitFor();
      // A team belongs to a department: its teams are offered once the agent is in it.
      const bookClub = page
        .getByRole('group', { name: 'Teams' })
        .getByLabel(`Book club (${DEPARTMENT.name})`);
      await page.getByRole('group', { name: 'Teams' }).getByLabel('Tier 1 (General)').waitFor();
      expect(await bookClub.count()).toBe(0);
      await page.getByRole('group', { name: 'Departments' }).getByLabel(DEPARTMENT.name).check();
      await bookClub.check();
      await page.getByLabel('Capacity').fill('7');
      await page.getByLabel('Availability').selectOption('away');
      await page.getByRole('button', { name: 'Save agent' }).click();
      await page.getByRole('heading', { level: 1, name: 'Teams & agents' }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Saved Sam Agent (version 3)' }).waitFor();
      const sam = await apiGet<Agent>('/agents/agent-sam');
      expect(sam).toMatchObject({ capacity: 7, availability: 'away', version: 3 });
      expect(sam.teamIds).toContain('book-club');
      expect(sam.departmentIds).toContain(DEPARTMENT.id);
      await page.screenshot({ path: join(RESULTS, 'admin-desk-teams.png'), fullPage: true });
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    "a new ticket in the department gets the rule's effects, shown on its page",
    async () => {
      const created = await apiCall<Ticket>('POST', '/tickets', {
        subject: 'The book arrived damaged',
        description: 'The cover is torn.',
        customer: { email: 'reader@customer.example', name: 'Rae Reader' },
        departmentId: DEPARTMENT.id,
        channel: 'web',
      });
      expect(created.status).toBe(201);
      const ticketId = created.body.id;

      // The rules run from the change stream: wait for their system entry.
      const entries = await eventually(
        async () =>
          (await apiGet<{ items: TimelineEntry[] }>(`/tickets/${ticketId}/timeline?limit=100`)).items,
        {
          timeoutMs: 20_000,
          intervalMs: 100,
          accept: (items) =>
            items.some((e) => e.kind === 'system' && e.body?.includes(`Rule "${RULE.name}"`)),
          what: "the rule's timeline entry",
        },
      );
      expect(
        entries.some((e) => e.kind === 'note' && e.body === 'Ask for a photo of the damage (Rae Reader).'),
      ).toBe(true);
      const ticket = await apiGet<Ticket>(`/tickets/${ticketId}`);
      expect(ticket.priority).toBe('high');
      expect(ticket.tags).toContain('damaged');

      await page.goto(`/tickets/${ticketId}`);
      await page.getByRole('heading', { name: 'The book arrived damaged' }).waitFor();
      const timeline = page.getByRole('list', { name: 'Timeline' });
      await timeline.getByText(`Rule "${RULE.name}" (ticket created)`).waitFor();
      await timeline.getByText('Ask for a photo of the damage (Rae Reader).').waitFor();
      await page.getByRole('list', { name: 'Tags on this ticket' }).getByText('damaged').waitFor();
      expect(await page.getByLabel('Priority').inputValue()).toBe('high');
      // The layout's field on the ticket's properties, when the ticket page shows custom fields.
      const genre = page.getByRole('combobox', { name: new RegExp(`^${FIELD.label}`) });
      if ((await genre.count()) > 0) {
        expect(await genre.locator('option').allTextContents()).toEqual(expect.arrayContaining(FIELD.values));
      }
      await page.screenshot({ path: join(RESULTS, 'admin-desk-ticket.png'), fullPage: true });

      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});
