/**
 * SLA in the agent SPA, in a real Chromium against its own local desk: an
 * admin creates a business-hours calendar and edits the standard policy
 * through the admin screens (the server's field errors show next to the
 * fields, a concurrent edit shows the reload banner), an agent sees a
 * ticket's SLA countdown (met after a reply, overdue once the page's clock
 * passes the due time, without refetching) and the At risk view in the
 * server's order, breached tickets marked.
 * Playwright's auto-waiting locators and its page clock do the waiting: no
 * fixed sleeps. Screenshots land in test-results/ (git-ignored).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VersionedCalendar, VersionedPolicy } from '../../functions/adapters/dynamodb/sla-repository.js';
import type { SlaRecord } from '../../functions/domain/sla/record.js';
import type { Ticket } from '../../functions/domain/tickets/model.js';
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
/** GET /tickets/{id}/sla requests the page made, to show the countdown ticks without refetching. */
const slaRequests: string[] = [];

const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const calendarName = `Lisbon support ${unique}`;
const calendarId = `lisbon-${unique}`;
const SEEDED_SUBJECT = 'Cannot log in to my account';
const OTHER_SUBJECT = 'Invoice shows the wrong VAT number';

async function login(email: string): Promise<string> {
  const response = await fetch(`${desk.url}/local/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'demo' }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

async function apiGet<T>(path: string): Promise<T> {
  const response = await fetch(`${desk.url}${path}`, {
    headers: { authorization: `Bearer ${adminToken}`, accept: 'application/json' },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

async function standardPolicy(): Promise<VersionedPolicy> {
  const { items } = await apiGet<{ items: VersionedPolicy[] }>('/sla/policies');
  const found = items.find((p) => p.policy.id === 'standard');
  if (!found) throw new Error('the demo seed has no standard policy');
  return found;
}

/** Drops the browser's log lines for responses the test provoked on purpose. */
function forgive(status: string): void {
  problems.splice(0, problems.length, ...problems.filter((p) => !p.includes(status)));
}

async function signIn(email: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

beforeAll(async () => {
  await buildSpaIfMissing();
  dataDir = mkdtempSync(join(tmpdir(), 'desk-browser-sla-'));
  desk = await startLocal({ port: 0, jvm: 'fast-start', dataDir, inMemory: true, seed: true, quiet: true });
  adminToken = await login('admin@demo.local');
  // The seed's SLA records are written from the change stream, just after start-up: wait for them.
  const { items: seeded } = await apiGet<{ items: Ticket[] }>('/tickets?limit=50');
  await eventually(
    async () => {
      const records = await Promise.all(
        seeded.map((t) => apiGet<{ sla: SlaRecord | null }>(`/tickets/${encodeURIComponent(t.id)}/sla`)),
      );
      return records.every((r, i) => r.sla !== null && r.sla.ticketVersion >= seeded[i]!.version);
    },
    { timeoutMs: 30_000, intervalMs: 200, what: 'the SLA records of the seeded tickets' },
  );
  browser = await launchChromium();
  context = await browser.newContext({ baseURL: desk.url, viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  // The page's clock runs with real time until a test moves it forward.
  await page.clock.install();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('request', (request) => {
    if (/\/tickets\/[^/]+\/sla$/.test(new URL(request.url()).pathname)) slaRequests.push(request.url());
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await desk?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('SLA in the agent SPA', () => {
  it(
    'an admin creates a business-hours calendar; a bad time zone shows the server error first',
    async () => {
      await signIn('admin@demo.local');
      const admin = page.getByRole('navigation', { name: 'Admin' });
      await admin.getByRole('link', { name: 'Business hours' }).click();
      await page.getByRole('heading', { level: 1, name: 'Business hours' }).waitFor();
      await page.getByRole('link', { name: 'Office hours (Berlin)' }).waitFor();
      await page.screenshot({ path: join(RESULTS, 'sla-business-hours.png'), fullPage: true });

      await page.getByRole('link', { name: 'New calendar' }).click();
      await page.getByRole('heading', { level: 1, name: 'New calendar' }).waitFor();
      await page.getByLabel('Name', { exact: true }).fill(calendarName);
      // The id follows the name until it is edited.
      expect(await page.getByLabel('ID', { exact: true }).inputValue()).toBe(`lisbon-support-${unique}`);
      await page.getByLabel('ID', { exact: true }).fill(calendarId);
      await page.getByLabel('Time zone').fill('Europe/Atlantis');
      // Saturday mornings too, and one holiday; the keyboard lands in each new row.
      await page.getByRole('button', { name: 'Add opening hours on Saturday' }).click();
      const satOpens = page.getByLabel('Saturday hours 1: opens');
      await satOpens.and(page.locator(':focus')).waitFor();
      await satOpens.fill('10:00');
      await page.getByLabel('Saturday hours 1: closes').fill('14:00');
      await page.getByRole('button', { name: 'Add holiday' }).click();
      await page.getByLabel('Holiday 1: date').and(page.locator(':focus')).waitFor();
      await page.getByLabel('Holiday 1: date').fill('2026-12-31');
      await page.getByLabel('Holiday 1: name').fill("New Year's Eve");

      // The server refuses the time zone: its message shows under the field and in the summary.
      await page.getByRole('button', { name: 'Save calendar' }).click();
      const summary = page.getByRole('alert').filter({ hasText: 'The calendar was not saved' });
      await summary.waitFor();
      await summary.getByRole('button', { name: 'Time zone' }).waitFor();
      const timeZone = page.getByLabel('Time zone');
      expect(await timeZone.getAttribute('aria-invalid')).toBe('true');
      const describedBy = await timeZone.getAttribute('aria-describedby');
      expect(describedBy).toBeTruthy();
      const fieldError = page.locator('.field-error').filter({ hasText: 'not a known IANA time zone' });
      await fieldError.waitFor();
      expect(describedBy?.split(' ')).toContain(await fieldError.getAttribute('id'));
      // The summary's entry takes the keyboard to the field.
      await summary.getByRole('button', { name: 'Time zone' }).click();
      await timeZone.and(page.locator(':focus')).waitFor();
      forgive('400 (Bad Request)');
      await page.screenshot({ path: join(RESULTS, 'sla-calendar-error.png'), fullPage: true });

      await timeZone.fill('Europe/Lisbon');
      await page.getByRole('button', { name: 'Save calendar' }).click();
      await page.getByRole('heading', { level: 1, name: 'Business hours' }).waitFor();
      await page
        .getByRole('status')
        .filter({ hasText: `Saved “${calendarName}” (version 1)` })
        .waitFor();
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: calendarName }) });
      await row.waitFor();
      expect(await row.textContent()).toContain('Europe/Lisbon');
      expect(await row.textContent()).toContain('Mon–Fri 09:00–17:00 · Sat 10:00–14:00');

      const { items } = await apiGet<{ items: VersionedCalendar[] }>('/business-hours');
      const saved = items.find((c) => c.calendar.id === calendarId);
      expect(saved).toMatchObject({
        version: 1,
        updatedBy: 'admin@demo.local',
        calendar: {
          name: calendarName,
          timeZone: 'Europe/Lisbon',
          weekly: {
            mon: [{ start: '09:00', end: '17:00' }],
            fri: [{ start: '09:00', end: '17:00' }],
            sat: [{ start: '10:00', end: '14:00' }],
            sun: [],
          },
          holidays: [{ date: '2026-12-31', name: "New Year's Eve" }],
        },
      });
      await page.screenshot({ path: join(RESULTS, 'sla-business-hours-saved.png'), fullPage: true });
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    "an admin edits the standard policy's normal first-response target; errors and a concurrent edit are shown",
    async () => {
      const before = await standardPolicy();
      expect(before.policy.targets.normal?.firstResponseMinutes).toBe(240);

      await page
        .getByRole('navigation', { name: 'Admin' })
        .getByRole('link', { name: 'SLA policies' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'SLA policies' }).waitFor();
      await page.getByRole('link', { name: 'Standard support' }).click();
      await page.getByRole('heading', { level: 1, name: 'Standard support' }).waitFor();
      const normalFirst = page.getByLabel('Normal: first response (minutes)');
      expect(await normalFirst.inputValue()).toBe('240');
      expect(await page.getByLabel('Business hours').inputValue()).toBe('office-hours');
      await page.getByLabel('First response level 3: at % of the target').waitFor();
      await page.screenshot({ path: join(RESULTS, 'sla-policy-form.png'), fullPage: true });

      // A negative target: the server's message shows at the field.
      await normalFirst.fill('-5');
      await page.getByRole('button', { name: 'Save policy' }).click();
      const summary = page.getByRole('alert').filter({ hasText: 'The policy was not saved' });
      await summary.waitFor();
      await summary.getByRole('button', { name: 'Normal: first response (minutes)' }).waitFor();
      expect(await normalFirst.getAttribute('aria-invalid')).toBe('true');
      await page
        .locator('.field-error')
        .filter({ hasText: /too small/i })
        .waitFor();
      forgive('400 (Bad Request)');
      await page.screenshot({ path: join(RESULTS, 'sla-policy-error.png'), fullPage: true });
      expect((await standardPolicy()).version).toBe(before.version);

      await normalFirst.fill('180');
      await page.getByRole('button', { name: 'Save policy' }).click();
      await page.getByRole('heading', { level: 1, name: 'SLA policies' }).waitFor();
      await page
        .getByRole('status')
        .filter({ hasText: `Saved “Standard support” (version ${before.version + 1})` })
        .waitFor();
      await page.screenshot({ path: join(RESULTS, 'sla-policies.png'), fullPage: true });

      const after = await standardPolicy();
      expect(after.version).toBe(before.version + 1);
      expect(after.updatedBy).toBe('admin@demo.local');
      expect(after.policy.targets.normal).toEqual({
        ...before.policy.targets.normal,
        firstResponseMinutes: 180,
      });
      // Everything the form did not touch is as it was.
      expect({ ...after.policy, targets: null }).toEqual({ ...before.policy, targets: null });
      expect(after.policy.targets.urgent).toEqual(before.policy.targets.urgent);

      // Someone else saves while this admin edits: the save is refused with a reload banner.
      await page.getByRole('link', { name: 'Standard support' }).click();
      await page.getByRole('heading', { level: 1, name: 'Standard support' }).waitFor();
      const { id: _id, ...body } = after.policy;
      const behindTheBack = await fetch(`${desk.url}/sla/policies/standard`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${adminToken}`,
          'content-type': 'application/json',
          'if-match': `"${after.version}"`,
        },
        body: JSON.stringify({ ...body, targets: { ...body.targets, high: { firstResponseMinutes: 90 } } }),
      });
      expect(behindTheBack.status).toBe(200);
      await normalFirst.fill('200');
      await page.getByRole('button', { name: 'Save policy' }).click();
      const conflict = page.getByRole('alert').filter({ hasText: 'was changed by someone else' });
      await conflict.waitFor();
      forgive('412 (Precondition Failed)');
      await page.screenshot({ path: join(RESULTS, 'sla-policy-conflict.png'), fullPage: true });
      await conflict.getByRole('button', { name: 'Reload' }).click();
      await conflict.waitFor({ state: 'detached' });
      expect(await page.getByLabel('High: first response (minutes)').inputValue()).toBe('90');
      expect(await normalFirst.inputValue()).toBe('180');
      expect((await standardPolicy()).version).toBe(after.version + 1);
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'the At risk view lists tickets with running SLA clocks in the order the server gives',
    async () => {
      await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'At risk' }).click();
      await page.getByRole('heading', { level: 1, name: 'At risk' }).waitFor();
      const table = page.getByRole('table', { name: 'At-risk tickets' });
      const expected = await apiGet<{ items: { ticket: Ticket; sla: SlaRecord }[] }>('/sla/at-risk?limit=50');
      expect(expected.items.length).toBeGreaterThan(0);
      await table.getByRole('link', { name: expected.items[0]!.ticket.subject }).waitFor();
      const subjects = await table.locator('a.row-link').allTextContents();
      expect(subjects).toEqual(expected.items.map((i) => i.ticket.subject));
      expect(await table.locator('tbody tr .sla-badge').count()).toBe(expected.items.length);
      await page.screenshot({ path: join(RESULTS, 'sla-at-risk.png'), fullPage: true });
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    "a ticket's SLA panel counts down, shows a reply as met, and goes overdue as time passes without refetching",
    async () => {
      await page
        .getByRole('navigation', { name: 'Views' })
        .getByRole('link', { name: 'All tickets' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'All tickets' }).waitFor();
      await page.getByRole('link', { name: SEEDED_SUBJECT }).click();
      await page.getByRole('heading', { level: 1, name: SEEDED_SUBJECT }).waitFor();

      const panel = page.getByRole('region', { name: 'SLA' });
      await panel.getByText('Standard support').waitFor();
      const first = panel.locator('[data-sla-kind="first_response"]');
      const resolution = panel.locator('[data-sla-kind="resolution"]');
      await first.filter({ hasText: /^due in / }).waitFor();
      expect(await first.getAttribute('title')).toMatch(/^Due /);
      await resolution.filter({ hasText: /^due in / }).waitFor();

      // A reply meets the first-response target: the panel loads again when the ticket changes.
      await page.getByRole('textbox', { name: 'Reply' }).fill(`Looking into it now (${unique})`);
      await page.getByRole('button', { name: 'Send reply' }).click();
      await first.filter({ hasText: /^met$/ }).waitFor();
      expect(await first.getAttribute('title')).toMatch(/^Met .*; due /);
      await page.screenshot({ path: join(RESULTS, 'sla-ticket.png') });

      // Another ticket, unchanged since it was opened: move the page's clock 3 minutes past its
      // first-response due time, and the badge turns overdue with no request to the server.
      await page
        .getByRole('navigation', { name: 'Views' })
        .getByRole('link', { name: 'All tickets' })
        .click();
      await page.getByRole('link', { name: OTHER_SUBJECT }).click();
      await page.getByRole('heading', { level: 1, name: OTHER_SUBJECT }).waitFor();
      const otherId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
      const otherFirst = panel.locator('[data-sla-kind="first_response"]');
      await otherFirst.filter({ hasText: /^due in / }).waitFor();
      const { sla } = await apiGet<{ sla: SlaRecord | null }>(`/tickets/${encodeURIComponent(otherId)}/sla`);
      const due = Date.parse(sla?.applied.targets.find((t) => t.kind === 'first_response')?.dueAt ?? '');
      expect(Number.isNaN(due)).toBe(false);
      const requestsBefore = slaRequests.length;
      const pageNow = await page.evaluate(() => Date.now());
      await page.clock.fastForward(due - pageNow + 3 * 60_000);
      await otherFirst.filter({ hasText: /^overdue by [34] min$/ }).waitFor();
      expect(await otherFirst.getAttribute('data-sla-tone')).toBe('overdue');
      expect(await otherFirst.getAttribute('title')).toMatch(/^Was due /);
      const color = await otherFirst.evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(color).toBe('rgb(201, 42, 42)');
      expect(slaRequests.length).toBe(requestsBefore);
      await page.screenshot({ path: join(RESULTS, 'sla-ticket-overdue.png') });

      // With the clock past that due time, the At risk view marks it and every ticket due before as breached.
      await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'At risk' }).click();
      await page.getByRole('heading', { level: 1, name: 'At risk' }).waitFor();
      const breachedRow = page
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: OTHER_SUBJECT }) });
      await breachedRow.getByText('Breached', { exact: true }).waitFor();
      expect(await breachedRow.getAttribute('data-breached')).toBe('true');
      await breachedRow
        .locator('.sla-badge')
        .filter({ hasText: /^overdue by / })
        .waitFor();
      const firstRow = page.getByRole('table', { name: 'At-risk tickets' }).locator('tbody tr').first();
      expect(await firstRow.getAttribute('data-breached')).toBe('true');
      await page.screenshot({ path: join(RESULTS, 'sla-at-risk-breached.png'), fullPage: true });
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'agents do not get the admin screens',
    async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn('agent@demo.local');
      await page.getByRole('navigation', { name: 'Views' }).waitFor();
      expect(await page.getByRole('navigation', { name: 'Admin' }).count()).toBe(0);
      await page.goto('/admin/sla-policies');
      await page.getByRole('heading', { level: 1, name: 'Admins only' }).waitFor();
      // The server agrees: an agent's save is refused.
      const agentToken = await login('agent@demo.local');
      const refused = await fetch(`${desk.url}/business-hours/${calendarId}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'Hijacked',
          timeZone: 'UTC',
          weekly: { mon: [{ start: '09:00', end: '17:00' }] },
        }),
      });
      expect(refused.status).toBe(403);
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});
