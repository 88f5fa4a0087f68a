/**
 * Email in the agent SPA, in a real Chromium against the local runtime: a
 * customer mails the desk over SMTP (HTML with a script, an event handler, a
 * tracking pixel and an attachment), an agent opens the ticket and sees the
 * sanitised message, nothing in it runs or loads, the attachment downloads;
 * then the Outbox page shows the acknowledgement the desk sent.
 * Playwright's auto-waiting locators do the waiting in the page; the server
 * side is polled with `eventually`. No fixed sleeps.
 * Screenshots land in test-results/ (git-ignored) for a human to look at.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../local/outbox.js';
import { type LocalDesk, startLocal } from '../../local/runtime.js';
import { eventually } from '../support/eventually.js';
import { buildSpaIfMissing, launchChromium, RESULTS } from './support.js';

const TEST_TIMEOUT = 60_000;

let desk: LocalDesk;
let dataDir: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let smtp: Transporter;
const problems: string[] = [];
const dialogs: string[] = [];
const requested: string[] = [];

const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const subject = `Invoice for order 4711 is wrong ${unique}`;
const customer = `mina.${unique}@customer.example`;
const messageId = `html.${unique}@customer.example`;
const HOSTILE_HTML =
  '<p>Hello <b>team</b></p><script>window.__pwned=1</script>' +
  '<img src="x" onerror="window.__pwned=2"><img src="https://tracker.example/p.gif">';
const PDF = Buffer.from(`%PDF-1.4\n% order 4711 ${unique}\n%%EOF\n`);

let ticketNumber = 0;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

beforeAll(async () => {
  await buildSpaIfMissing();
  dataDir = mkdtempSync(join(tmpdir(), 'desk-browser-email-'));
  desk = await startLocal({ port: 0, jvm: 'fast-start', dataDir, inMemory: true, seed: true, quiet: true });
  smtp = nodemailer.createTransport({
    host: '127.0.0.1',
    port: desk.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  browser = await launchChromium();
  context = await browser.newContext({
    baseURL: desk.url,
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('request', (request) => requested.push(request.url()));
}, 120_000);

afterAll(async () => {
  smtp?.close();
  await context?.close();
  await browser?.close();
  await desk?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function outbox(): Promise<OutboxMessage[]> {
  const login = await fetch(`${desk.url}/local/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@demo.local', password: 'demo' }),
  });
  const { token } = (await login.json()) as { token: string };
  const response = await fetch(`${desk.url}/local/outbox`, { headers: { authorization: `Bearer ${token}` } });
  return ((await response.json()) as { items: OutboxMessage[] }).items;
}

describe('email in the agent SPA', () => {
  it(
    'shows a mailed-in HTML message sanitised, with blocked images and a downloadable attachment',
    async () => {
      await smtp.sendMail({
        from: `"Mina Okafor" <${customer}>`,
        to: 'support@demo.local',
        subject,
        text: 'Hello team',
        html: HOSTILE_HTML,
        messageId: `<${messageId}>`,
        attachments: [{ filename: 'order-4711.pdf', content: PDF, contentType: 'application/pdf' }],
      });

      await page.goto('/');
      await page.getByLabel('Email').fill('admin@demo.local');
      await page.getByLabel('Password').fill('demo');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();

      // The mail opened a new ticket: find it in the "New" view and open it.
      await page
        .getByRole('navigation', { name: 'Views' })
        .getByRole('link', { name: 'New', exact: true })
        .click();
      await page.getByRole('heading', { level: 1, name: 'New' }).waitFor();
      await page.getByRole('link', { name: subject }).click();
      await page.getByRole('heading', { level: 1, name: subject }).waitFor();
      ticketNumber = Number((await page.locator('.ticket-number').textContent())?.replace('#', ''));
      expect(ticketNumber).toBeGreaterThan(1000);

      // The formatted message, inside its own box on the customer's entry.
      const message = page.locator('article[data-kind="customer"]').filter({ hasText: 'Hello' });
      const html = message.locator('.tl-html');
      const bold = html.locator('b').filter({ hasText: /^team$/ });
      await bold.waitFor();
      expect(await bold.isVisible()).toBe(true);
      await message.getByText('Customer · Email', { exact: true }).waitFor();
      const meta = message.locator('.tl-email-meta');
      expect(await meta.textContent()).toMatch(
        new RegExp(`^From ${escapeRegExp(customer)} → +to support@demo\\.local`),
      );
      expect(await meta.textContent()).toContain('opened this ticket');

      // Nothing of the hostile part survived, ran or loaded.
      expect(await page.getByRole('list', { name: 'Timeline' }).locator('script').count()).toBe(0);
      expect(await page.locator('[onerror]').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect(dialogs).toEqual([]);
      await message.getByRole('note').filter({ hasText: '1 remote image blocked' }).waitFor();
      expect(await html.locator('img[data-blocked-src="https://tracker.example/p.gif"]').count()).toBe(1);
      expect(await html.locator('img[src]').count()).toBe(0);
      expect(requested.filter((url) => url.includes('tracker.example'))).toEqual([]);

      // The plain text is one click away, and back.
      const toggle = message.getByRole('button', { name: 'Show plain text' });
      await toggle.click();
      await message.locator('.tl-body').filter({ hasText: 'Hello team' }).waitFor();
      expect(await html.count()).toBe(0);
      expect(await toggle.getAttribute('aria-pressed')).toBe('true');
      await toggle.click();
      await bold.waitFor();

      // The attachment: a download link with name and size, served by a signed link.
      const attachments = message.getByRole('list', { name: 'Attachments' });
      const link = attachments.getByRole('link', { name: /order-4711\.pdf/ });
      await link.waitFor();
      expect(await link.textContent()).toContain(`${PDF.length} B`);
      expect(await link.getAttribute('download')).toBe('order-4711.pdf');
      expect(await link.getAttribute('rel')).toBe('noopener');
      const href = await link.getAttribute('href');
      expect(href).toBeTruthy();
      const file = await fetch(new URL(href ?? '', desk.url));
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await file.arrayBuffer()).equals(PDF)).toBe(true);
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toBe('order-4711.pdf');
      await download.delete();

      // The original message is one link away too.
      const original = message.getByRole('link', { name: 'View original' });
      const raw = await fetch(new URL((await original.getAttribute('href')) ?? '', desk.url));
      expect(raw.status).toBe(200);
      expect(await raw.text()).toContain(`Message-ID: <${messageId}>`);

      await page.screenshot({ path: join(RESULTS, 'email-ticket.png') });
      await message.screenshot({ path: join(RESULTS, 'email-message.png') });
      expect(dialogs).toEqual([]);
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'lists the acknowledgement on the Outbox page, and shows it on the ticket as an automatic email',
    async () => {
      expect(ticketNumber).toBeGreaterThan(1000);
      const tag = `[#${ticketNumber}]`;
      await page
        .getByRole('navigation', { name: 'Local desk' })
        .getByRole('link', { name: 'Outbox' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Outbox' }).waitFor();

      // The acknowledgement goes out from the stream reaction; once it is in the outbox, Refresh shows it.
      await eventually(outbox, {
        accept: (items) => items.some((m) => m.subject.includes(tag)),
        what: 'the acknowledgement in the outbox',
        timeoutMs: 20_000,
      });
      await page.getByRole('button', { name: 'Refresh' }).click();
      const item = page.locator('details.outbox-item').filter({ hasText: tag });
      await item.waitFor();
      expect(await item.locator('summary').textContent()).toContain(customer);

      await item.locator('summary').click();
      await item.getByText('Auto-Submitted: auto-replied').waitFor();
      await item.getByText('X-Auto-Response-Suppress: All').waitFor();
      await item.getByText(`In-Reply-To: <${messageId}>`).waitFor();
      expect(await item.locator('.mail-text').textContent()).toContain(`#${ticketNumber}`);
      await page.screenshot({ path: join(RESULTS, 'email-outbox.png'), fullPage: true });

      // With nothing sent yet, the page says where mail will appear.
      await page.route('**/local/outbox', (route) => route.fulfill({ json: { items: [] } }));
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.getByRole('heading', { name: 'No mail sent yet' }).waitFor();
      expect(await page.locator('.outbox-empty').textContent()).toContain('appears here instead');
      await page.unroute('**/local/outbox');

      // Back on the ticket, the acknowledgement is on the timeline as an automatic email.
      await page.goBack();
      await page.getByRole('heading', { level: 1, name: subject }).waitFor();
      const ack = page.locator('article[data-kind="notification"]');
      await ack.waitFor();
      await ack.getByText('Automatic email', { exact: true }).waitFor();
      expect(await ack.locator('.tl-subject').textContent()).toContain(tag);
      expect(await ack.locator('.tl-email-meta').textContent()).toMatch(
        new RegExp(`^From support@demo\\.local → +to ${escapeRegExp(customer)} · sent`),
      );
      expect(dialogs).toEqual([]);
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});
