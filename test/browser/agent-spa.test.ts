/**
 * The agent SPA in a real Chromium against the local runtime: a customer
 * writes in through the public web form, an agent signs in, finds the ticket
 * in the inbox, replies, adds an internal note and changes the status.
 * Playwright's auto-waiting locators do all the waiting: no fixed sleeps.
 * Screenshots land in test-results/ (git-ignored) for a human to look at.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDesk, startLocal } from '../../local/runtime.js';
import { buildSpaIfMissing, launchChromium, RESULTS } from './support.js';

const TEST_TIMEOUT = 60_000;

let desk: LocalDesk;
let dataDir: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const subject = `Espresso machine leaks water ${unique}`;
const description = 'Since yesterday my espresso machine leaks water from the bottom after every cup.';

beforeAll(async () => {
  await buildSpaIfMissing();
  dataDir = mkdtempSync(join(tmpdir(), 'desk-browser-'));
  desk = await startLocal({ port: 0, jvm: 'fast-start', dataDir, inMemory: true, seed: true, quiet: true });
  browser = await launchChromium();
  context = await browser.newContext({ baseURL: desk.url, viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await desk?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('agent SPA', () => {
  it(
    'an agent finds a web-form ticket in the inbox, replies, notes and moves it to pending',
    async () => {
      const created = await fetch(`${desk.url}/public/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          name: 'Dana Brewer',
          email: `dana.${unique}@example.com`,
          subject,
          description,
        }),
      });
      expect(created.status).toBe(201);
      const { number } = (await created.json()) as { number: number };

      // Sign in: a wrong password shows the API's message, the right one opens the inbox.
      await page.goto('/');
      await page.getByLabel('Email').fill('admin@demo.local');
      await page.getByLabel('Password').fill('wrong password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
      // Chromium logs the deliberate 401 as "Failed to load resource"; that one is expected.
      problems.splice(0, problems.length, ...problems.filter((p) => !p.includes('401 (Unauthorized)')));
      await page.getByLabel('Password').fill('demo');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await page.getByText('Alex Admin').first().waitFor();

      // The new ticket waits in the "New" view.
      const views = page.getByRole('navigation', { name: 'Views' });
      await views.getByRole('link', { name: 'New', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'New' }).waitFor();
      const row = page.getByRole('link', { name: subject });
      await row.waitFor();
      const rowCells = page.getByRole('row').filter({ has: row });
      expect(await rowCells.textContent()).toContain(`#${number}`);
      expect(await rowCells.textContent()).toContain('Dana Brewer');
      await page.screenshot({ path: join(RESULTS, 'agent-inbox.png'), fullPage: true });

      await row.click();
      await page.getByRole('heading', { level: 1, name: subject }).waitFor();
      expect(new URL(page.url()).pathname).toMatch(/^\/tickets\/[^/]+$/);
      await page.locator('article[data-kind="customer"]').filter({ hasText: description }).waitFor();
      await page.getByRole('heading', { name: 'Customer', exact: true }).waitFor();
      await page.getByRole('link', { name: `dana.${unique}@example.com` }).waitFor();

      // A public reply: it appears on the timeline and opens the new ticket.
      const replyText = `Sorry about that, Dana! Could you send a photo of the leak? (${unique})`;
      await page.getByRole('textbox', { name: 'Reply' }).fill(replyText);
      await page.getByRole('button', { name: 'Send reply' }).click();
      await page.locator('article[data-kind="reply"]').filter({ hasText: replyText }).waitFor();
      await page
        .locator('article[data-kind="event"]')
        .filter({ hasText: /Alex Admin changed status from new to open/ })
        .waitFor();
      expect(await page.getByRole('textbox', { name: 'Reply' }).inputValue()).toBe('');

      // An internal note: styled apart and labelled as internal.
      const noteText = `Customer is on the 2-year warranty, replacement is fine (${unique})`;
      await page.getByRole('tab', { name: 'Internal note' }).click();
      await page.getByRole('textbox', { name: 'Internal note' }).fill(noteText);
      await page.getByRole('button', { name: 'Add note' }).click();
      const note = page.locator('article[data-kind="note"]').filter({ hasText: noteText });
      await note.waitFor();
      await note.getByText('Internal note', { exact: true }).waitFor();
      const noteBackground = await note
        .locator('.tl-card')
        .evaluate((element) => getComputedStyle(element).backgroundColor);
      expect(noteBackground).not.toBe('rgb(255, 255, 255)');

      // Status → pending: PATCH with If-Match, then the event shows on the timeline.
      const status = page.getByLabel('Status', { exact: true });
      await page.locator('select[data-status="open"]').waitFor();
      await status.selectOption('pending');
      await page
        .locator('article[data-kind="event"]')
        .filter({ hasText: /Alex Admin changed status from open to pending/ })
        .waitFor();
      await page.locator('.ticket-meta .badge', { hasText: 'Pending' }).waitFor();
      expect(await status.inputValue()).toBe('pending');
      await page.screenshot({ path: join(RESULTS, 'agent-ticket.png') });

      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'reloads the ticket when someone else changed it, and sends an expired session back to sign-in',
    async () => {
      await page.goto('/inbox/all');
      await page.getByRole('link', { name: subject }).click();
      await page.getByRole('heading', { level: 1, name: subject }).waitFor();
      const ticketId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');

      // Another agent tags the ticket behind this agent's back.
      const login = await fetch(`${desk.url}/local/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'agent@demo.local', password: 'demo' }),
      });
      const { token } = (await login.json()) as { token: string };
      const patched = await fetch(`${desk.url}/tickets/${encodeURIComponent(ticketId)}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ tags: ['vip'] }),
      });
      expect(patched.status).toBe(200);

      // This agent's change is refused (412), the ticket reloads with the other agent's tag.
      const priority = page.getByLabel('Priority', { exact: true });
      await priority.selectOption('high');
      await page.getByRole('alert').filter({ hasText: 'This ticket was changed by someone else' }).waitFor();
      await page.getByRole('button', { name: 'Remove tag vip' }).waitFor();
      expect(await priority.inputValue()).toBe('normal');
      // Trying again works.
      await priority.selectOption('high');
      await page
        .locator('article[data-kind="event"]')
        .filter({ hasText: /changed priority from normal to high/ })
        .waitFor();
      const conflicts = problems.filter((p) => p.includes('412 (Precondition Failed)'));
      expect(conflicts).toHaveLength(1);
      problems.splice(
        0,
        problems.length,
        ...problems.filter((p) => !p.includes('412 (Precondition Failed)')),
      );

      // A token the API no longer accepts: any 401 returns to sign-in, then back to the same page.
      await page.evaluate(() => sessionStorage.setItem('helpdesk.token', 'expired.token.value'));
      await page.reload();
      await page.getByText('Your session ended').waitFor();
      problems.splice(0, problems.length, ...problems.filter((p) => !p.includes('401 (Unauthorized)')));
      await page.getByLabel('Email').fill('admin@demo.local');
      await page.getByLabel('Password').fill('demo');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: subject }).waitFor();
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'works from the keyboard: switch view, pick a row with j, open it with Enter, write a note with Ctrl+Enter',
    async () => {
      await page.goto('/inbox/open');
      await page.getByRole('heading', { level: 1, name: 'All open' }).waitFor();
      await page.keyboard.press('3'); // "Pending": where the first test left its ticket
      await page.getByRole('heading', { level: 1, name: 'Pending' }).waitFor();
      await page.getByRole('link', { name: subject }).waitFor();
      // Move down with j until our row has focus, then open it.
      const rowLink = page.getByRole('link', { name: subject });
      for (let i = 0; i < 20 && !(await rowLink.evaluate((el) => el === document.activeElement)); i++) {
        await page.keyboard.press('j');
      }
      expect(await rowLink.evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: subject }).waitFor();

      await page.keyboard.press('n');
      const noteBox = page.getByRole('textbox', { name: 'Internal note' });
      await noteBox.and(page.locator(':focus')).waitFor();
      const text = `Keyboard-only note ${unique}`;
      await page.keyboard.type(text);
      await page.keyboard.press('Control+Enter');
      await page.locator('article[data-kind="note"]').filter({ hasText: text }).waitFor();

      // Esc (outside a field) goes back to the inbox view it came from.
      await noteBox.evaluate((el) => (el as HTMLElement).blur());
      await page.keyboard.press('Escape');
      await page.getByRole('heading', { level: 1, name: 'Pending' }).waitFor();
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});
