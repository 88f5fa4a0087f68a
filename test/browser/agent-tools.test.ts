/**
 * The agent's tools for organising the desk, in a real Chromium against the
 * local runtime, signed in as Sam (an agent of General and Technical
 * Support): a canned response found with "/", inserted with its placeholders
 * filled and sent; a custom field of the department's layout refused then
 * saved; a macro applied to two selected tickets with the result per ticket;
 * saved-view counts following an assignment; the bell showing an assignment
 * made by an admin. The setup (a number field in the Technical Support
 * layout, a canned response, a macro, tickets) goes through the API, so the
 * test does not depend on the demo data beyond the seeded agents and
 * departments. Locators and explicit conditions do all the waiting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../functions/domain/tickets/model.js';
import { type LocalDesk, startLocal } from '../../local/runtime.js';
import { DeskClient } from '../e2e/client.js';
import { eventually } from '../support/eventually.js';
import { buildSpaIfMissing, launchChromium, RESULTS } from './support.js';

const TEST_TIMEOUT = 60_000;

let desk: LocalDesk;
let dataDir: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let admin: DeskClient;
let sam: DeskClient;
const problems: string[] = [];
/** Console lines Chromium prints for refusals the test provokes on purpose (400s). */
const expectedRefusals = (line: string) => line.includes('400 (Bad Request)');

const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const tickets: Record<'canned' | 'field' | 'bulkOpen' | 'bulkClosed' | 'assign' | 'notify', Ticket> =
  {} as never;

async function createTicket(subject: string, extra: Record<string, unknown> = {}): Promise<Ticket> {
  const created = await admin.post<Ticket>('/tickets', {
    subject,
    description: `Please help (${unique}).`,
    customer: { email: `nora.${unique}@example.com`, name: 'Nora North' },
    departmentId: 'technical',
    channel: 'api',
    ...extra,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

async function patchTicket(
  client: DeskClient,
  ticket: Ticket,
  patch: Record<string, unknown>,
): Promise<Ticket> {
  const current = (await client.get<Ticket>(`/tickets/${ticket.id}`)).body;
  const patched = await client.patch<Ticket>(`/tickets/${ticket.id}`, patch, {
    'if-match': `"${current.version}"`,
  });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  return patched.body;
}

beforeAll(async () => {
  await buildSpaIfMissing();
  dataDir = mkdtempSync(join(tmpdir(), 'desk-browser-tools-'));
  desk = await startLocal({ port: 0, jvm: 'fast-start', dataDir, inMemory: true, seed: true, quiet: true });
  admin = await new DeskClient(desk.url).login('admin@demo.local');
  sam = await new DeskClient(desk.url).login('agent@demo.local');

  // A required number field in the Technical Support layout, after the seeded fields.
  const field = await admin.request('PUT', `/fields/units_affected`, {
    label: 'Units affected',
    type: 'number',
    min: 1,
    max: 50,
    active: true,
  });
  expect(field.status, JSON.stringify(field.body)).toBe(200);
  const layout = await admin.get<{ fields: { fieldId: string; required: boolean }[] }>(
    '/departments/technical/layout',
  );
  const fields = layout.body.fields.filter((f) => f.fieldId !== 'units_affected');
  const saved = await admin.request(
    'PUT',
    '/departments/technical/layout',
    { fields: [...fields, { fieldId: 'units_affected', required: true }] },
    { 'if-match': layout.headers.get('etag') ?? '"0"' },
  );
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);

  const canned = await admin.request('PUT', `/canned-responses/warranty-${unique}`, {
    title: `Warranty replacement ${unique}`,
    body: 'Hi {{customer.name}}, ticket #{{ticket.number}} qualifies for a free replacement. {{agent.name}}',
    tags: ['warranty'],
    scope: 'shared',
  });
  expect(canned.status, JSON.stringify(canned.body)).toBe(200);

  const macro = await admin.request('PUT', `/macros/escalate-${unique}`, {
    name: `Escalate ${unique}`,
    scope: 'shared',
    actions: [
      { type: 'set_priority', priority: 'urgent' },
      { type: 'add_tags', tags: ['escalated'] },
    ],
  });
  expect(macro.status, JSON.stringify(macro.body)).toBe(200);

  tickets.canned = await createTicket(`Replacement phone please ${unique}`);
  tickets.field = await createTicket(`Several units dead ${unique}`);
  tickets.bulkOpen = await createTicket(`Bulk open ${unique}`);
  await patchTicket(admin, tickets.bulkOpen, { tags: [`bulk-${unique}`] });
  tickets.bulkClosed = await createTicket(`Bulk closed ${unique}`, { departmentId: 'general' });
  await patchTicket(admin, tickets.bulkClosed, { tags: [`bulk-${unique}`] });
  await patchTicket(admin, tickets.bulkClosed, { status: 'solved' });
  await patchTicket(admin, tickets.bulkClosed, { status: 'closed' });
  tickets.assign = await createTicket(`Nobody owns this yet ${unique}`);
  tickets.notify = await createTicket(`Admin hands this over ${unique}`);

  browser = await launchChromium();
  context = await browser.newContext({ baseURL: desk.url, viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });

  await page.goto('/');
  await page.getByLabel('Email').fill('agent@demo.local');
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

const openTicket = async (ticket: Ticket) => {
  await page.goto(`/tickets/${encodeURIComponent(ticket.id)}`);
  await page.getByRole('heading', { level: 1, name: ticket.subject }).waitFor();
};

/** The count a saved view shows in the sidebar. */
const viewCount = async (id: string) =>
  Number(await page.locator(`[data-view-count="${id}"]`).evaluate((el) => el.textContent?.match(/\d+/)?.[0]));

describe('agent tools', () => {
  it(
    'inserts a canned response from "/" with its placeholders filled, and sends it',
    async () => {
      await openTicket(tickets.canned);
      const reply = page.getByRole('textbox', { name: 'Reply' });
      await reply.click();
      await page.keyboard.type('Thanks for your patience.');
      await page.keyboard.press('Enter');
      // "/" at the start of a line opens the picker: a combobox over a listbox.
      await page.keyboard.press('/');
      const search = page.getByRole('combobox', { name: 'Search canned responses' });
      await search.and(page.locator(':focus')).waitFor();
      const list = page.getByRole('listbox', { name: 'Canned responses' });
      await list.getByRole('option').first().waitFor();
      await page.keyboard.type(`warranty ${unique}`);
      const option = list.getByRole('option', { name: new RegExp(`Warranty replacement ${unique}`) });
      await option.waitFor();
      await list.getByRole('option').nth(1).waitFor({ state: 'detached' });
      expect(await option.getAttribute('aria-selected')).toBe('true');
      expect(await search.getAttribute('aria-activedescendant')).toBe(await option.getAttribute('id'));
      await page.screenshot({ path: join(RESULTS, 'tools-canned.png') });
      await page.keyboard.press('Enter');

      // Inserted where the caret was, placeholders filled for this ticket and agent; focus back in the text.
      const expected = `Thanks for your patience.\nHi Nora North, ticket #${tickets.canned.number} qualifies for a free replacement. Sam Agent`;
      await page.waitForFunction(
        (text) => (document.activeElement as HTMLTextAreaElement | null)?.value === text,
        expected,
      );
      expect(await search.count()).toBe(0);
      await page.keyboard.type(' Cheers!');
      await page.getByRole('button', { name: 'Send reply' }).click();
      const sent = page
        .locator('article[data-kind="reply"]')
        .filter({ hasText: 'qualifies for a free replacement' });
      await sent.waitFor();
      const text = (await sent.locator('.tl-body').textContent()) ?? '';
      expect(text).toContain(`Hi Nora North, ticket #${tickets.canned.number} qualifies`);
      expect(text).toContain('Sam Agent Cheers!');
      expect(text).not.toContain('{{');

      // Escape closes the picker without inserting anything; "/" typed again there is a plain slash.
      await reply.click();
      await reply.and(page.locator(':focus')).waitFor();
      await page.keyboard.press('/');
      await search.waitFor();
      await page.keyboard.press('Escape');
      await search.waitFor({ state: 'detached' });
      await reply.and(page.locator(':focus')).waitFor();
      await page.keyboard.press('/');
      await search.waitFor();
      await page.keyboard.press('/');
      await search.waitFor({ state: 'detached' });
      expect(await reply.inputValue()).toBe('/');
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    "edits the custom fields of the ticket's department: a refused value shows next to the field, then saves",
    async () => {
      await openTicket(tickets.field);
      const fields = page.getByRole('region', { name: 'Fields' });
      await fields.getByLabel('Units affected').waitFor();
      // The Technical Support layout in order, its own picklist values, the required field marked.
      const labels = await fields.locator('label').allTextContents();
      expect(labels).toEqual(['Sub-category', 'Order number', 'Units affected * (required)']);
      const subCategory = fields.getByLabel('Sub-category');
      expect(await subCategory.locator('option').allTextContents()).toEqual([
        'None',
        'Battery',
        'Display',
        'Connectivity',
        'Software',
      ]);
      const units = fields.getByLabel('Units affected');
      expect(await units.getAttribute('aria-required')).toBe('true');

      // Solving with the required field empty: refused, the reason shows under the field.
      await page.getByLabel('Status', { exact: true }).selectOption('solved');
      const required = fields.getByText('"Units affected" is required before the ticket can be solved');
      await required.waitFor();
      expect(await units.getAttribute('aria-invalid')).toBe('true');
      await page.locator('select[data-status="new"]').waitFor();

      // Out of bounds: refused by the server, shown under the field, the typed value kept to correct.
      await units.fill('500');
      await units.press('Enter');
      await fields.getByText('"Units affected" must be at most 50').waitFor();
      expect(await units.inputValue()).toBe('500');
      await page.screenshot({ path: join(RESULTS, 'tools-field-error.png') });

      await units.fill('12');
      await units.press('Enter');
      await fields.getByText('"Units affected" must be at most 50').waitFor({ state: 'detached' });
      expect(await units.getAttribute('aria-invalid')).toBeNull();
      await subCategory.selectOption('Display');
      await eventually(
        async () => (await sam.get<Ticket>(`/tickets/${tickets.field.id}`)).body.customFields,
        {
          accept: (values) => values.units_affected === 12 && values.sub_category === 'Display',
          what: 'the saved custom fields',
        },
      );

      // Now the ticket can be solved.
      await page.getByLabel('Status', { exact: true }).selectOption('solved');
      await page.locator('.ticket-meta .badge', { hasText: 'Solved' }).waitFor();

      // Another department, other fields: General has no layout, so the fields go away.
      await page.getByLabel('Department', { exact: true }).selectOption('general');
      await fields.waitFor({ state: 'detached' });
      problems.splice(0, problems.length, ...problems.filter((p) => !expectedRefusals(p)));
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'saves the filters as a view, selects its two tickets and applies a macro, showing the result per ticket',
    async () => {
      await page.goto(`/inbox/all?tag=bulk-${unique}`);
      await page.getByRole('heading', { level: 1, name: 'All tickets' }).waitFor();
      await page.getByRole('link', { name: tickets.bulkClosed.subject }).waitFor();

      // Save the filter as a personal view: it opens, and the sidebar lists it with its count.
      await page.getByRole('button', { name: 'Save as view' }).click();
      const dialog = page.getByRole('dialog', { name: 'Save as view' });
      await dialog.getByLabel('Name').fill(`Bulk ${unique}`);
      await dialog.getByRole('button', { name: 'Save view' }).click();
      await page.getByRole('heading', { level: 1, name: `Bulk ${unique}` }).waitFor();
      expect(new URL(page.url()).pathname).toMatch(/^\/views\/bulk-/);
      const nav = page.getByRole('navigation', { name: 'Views' });
      await nav.getByRole('link', { name: `Bulk ${unique}, 2 tickets` }).waitFor();

      // Select every ticket on the page, apply the macro: one succeeds, the closed one fails with its reason.
      await page.getByRole('link', { name: tickets.bulkOpen.subject }).waitFor();
      await page.getByRole('checkbox', { name: 'Select all tickets on this page' }).check();
      const bar = page.getByRole('region', { name: 'Selected tickets' });
      await bar.getByText('2 selected').waitFor();
      await bar.getByLabel('Macro for the selected tickets').selectOption({ label: `Escalate ${unique}` });
      await bar.getByRole('button', { name: 'Apply to selected' }).click();
      const results = page.getByRole('list', { name: 'Result per ticket' });
      const ok = results.getByRole('listitem').filter({ hasText: tickets.bulkOpen.subject });
      const failed = results.getByRole('listitem').filter({ hasText: tickets.bulkClosed.subject });
      await ok.getByText('succeeded').waitFor();
      await failed.getByText(/failed: .*closed ticket cannot be changed/).waitFor();
      await page.getByText(`“Escalate ${unique}”: 1 succeeded, 1 failed`).first().waitFor();
      // The list refreshed: the escalated ticket shows its new priority; the failed one stays selected.
      const openRow = page
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: tickets.bulkOpen.subject }) });
      await openRow.getByText('Urgent').waitFor();
      await openRow.getByText('escalated').waitFor();
      await bar.getByText('1 selected').waitFor();
      expect(
        await page
          .getByRole('checkbox', { name: new RegExp(`Select #${tickets.bulkClosed.number} `) })
          .isChecked(),
      ).toBe(true);
      await page.screenshot({ path: join(RESULTS, 'tools-bulk-macro.png'), fullPage: true });

      // The owner deletes the view.
      await page.getByRole('button', { name: 'Delete view' }).click();
      await page.getByRole('button', { name: `Delete “Bulk ${unique}”` }).click();
      await page.getByRole('heading', { level: 1, name: 'All open' }).waitFor();
      await nav.getByRole('link', { name: new RegExp(`Bulk ${unique}`) }).waitFor({ state: 'detached' });
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'applies a macro from the ticket page',
    async () => {
      await openTicket(tickets.assign);
      await page.getByLabel('Macro', { exact: true }).selectOption({ label: `Escalate ${unique}` });
      await page.getByRole('button', { name: 'Apply macro' }).click();
      await page.locator('.ticket-meta').getByText('Urgent').waitFor();
      await page
        .locator('article[data-kind="event"]')
        .filter({ hasText: /changed priority from normal to urgent/ })
        .waitFor();
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'updates the saved-view counts after the agent assigns a ticket to themselves',
    async () => {
      await openTicket(tickets.assign);
      const nav = page.getByRole('navigation', { name: 'Views' });
      await nav.getByRole('link', { name: /^My open tickets, \d+ tickets?$/ }).waitFor();
      const mine = await viewCount('my_open');
      const unassigned = await viewCount('unassigned');
      expect(unassigned).toBeGreaterThan(0);

      await page.getByRole('button', { name: 'Assign to me' }).click();
      await page.waitForFunction(
        ([m, u]) =>
          document.querySelector('[data-view-count="my_open"]')?.textContent?.includes(String(m)) &&
          document.querySelector('[data-view-count="unassigned"]')?.textContent?.includes(String(u)),
        [mine + 1, unassigned - 1],
      );
      await nav
        .getByRole('link', { name: `My open tickets, ${mine + 1} ticket${mine + 1 === 1 ? '' : 's'}` })
        .waitFor();

      // The view lists it.
      await nav.getByRole('link', { name: /^My open tickets/ }).click();
      await page.getByRole('heading', { level: 1, name: 'My open tickets' }).waitFor();
      await page.getByRole('link', { name: tickets.assign.subject }).waitFor();
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'shows a notification when an admin assigns the agent a ticket, and opens the ticket from it',
    async () => {
      await page.goto('/inbox/open');
      await page.getByRole('heading', { level: 1, name: 'All open' }).waitFor();
      const bell = page.getByRole('button', { name: /^Notifications/ });
      await bell.waitFor();

      // The demo data already assigned Sam a ticket or two.
      const unread = async () => (await sam.get<{ unread: number }>('/me/notifications')).body.unread;
      const before = await unread();
      await patchTicket(admin, tickets.notify, { assigneeId: 'agent-sam' });
      await eventually(unread, { accept: (n) => n === before + 1, what: "Sam's notification" });
      // The bell polls every 30 s and when the window gets focus: focus it rather than wait.
      await page.evaluate(() => window.dispatchEvent(new Event('focus')));
      await page.getByRole('button', { name: `Notifications, ${before + 1} unread` }).waitFor();

      await bell.click();
      const panel = page.getByRole('region', { name: 'Recent notifications' });
      const item = panel.getByRole('link', { name: new RegExp(`Unread: #${tickets.notify.number} `) });
      await item.waitFor();
      expect(await item.textContent()).toContain(tickets.notify.subject);
      await page.screenshot({ path: join(RESULTS, 'tools-notifications.png') });
      await item.click();
      await page.getByRole('heading', { level: 1, name: tickets.notify.subject }).waitFor();
      // Opening it marked it read.
      await page
        .getByRole('button', {
          name: before ? `Notifications, ${before} unread` : 'Notifications',
          exact: true,
        })
        .waitFor();
      expect(await unread()).toBe(before);
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});
