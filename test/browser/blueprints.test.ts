/**
 * Blueprints in the agent SPA, in a real Chromium against its own local
 * desk: an admin builds a three-state blueprint for the Technical Support
 * department in the designer (one transition by dragging from a state's
 * connector onto another, one through the keyboard form), first publishing
 * an incomplete graph whose problems the server names; a new ticket of the
 * department enters it, and an agent moves it from the ticket page (a
 * missing required field is refused at the field, the status controls are
 * locked meanwhile, the time left turns red once overdue); the dashboard
 * counts the completed run and its transitions; agents see dashboards but
 * not the designer; a warehouse agent opens the page of a returns ticket
 * (another department's) while its blueprint waits for the warehouse.
 * Playwright's auto-waiting locators, the page clock and API polling do the
 * waiting: no fixed sleeps. Screenshots land in test-results/ (git-ignored).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlueprintHead } from '../../functions/adapters/dynamodb/blueprint-repository.js';
import type { dashboard } from '../../functions/blueprints/engine.js';
import type { BlueprintDefinition } from '../../functions/domain/blueprints/definition.js';
import type { Ticket } from '../../functions/domain/tickets/model.js';
import { type LocalDesk, startLocal } from '../../local/runtime.js';
import { eventually } from '../support/eventually.js';
import { buildSpaIfMissing, launchChromium, RESULTS } from './support.js';

const TEST_TIMEOUT = 90_000;

type Dashboard = Awaited<ReturnType<typeof dashboard>>;

let desk: LocalDesk;
let dataDir: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let adminToken: string;
const problems: string[] = [];

const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const BLUEPRINT_NAME = `Technical fixes ${unique}`;
const BLUEPRINT_ID = `technical-fixes-${unique}`;
const SUBJECT = `Label printer crashes on start ${unique}`;
let ticketId = '';

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

async function center(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('the element has no box');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Adds a state through the toolbar and fills in the side panel, which opens on it. */
async function addState(name: string, status: string): Promise<void> {
  await page.getByRole('button', { name: 'Add state' }).click();
  const nameInput = page.getByLabel('State name');
  // The keyboard lands in the new state's name.
  await nameInput.and(page.locator(':focus')).waitFor();
  await nameInput.fill(name);
  await page.getByLabel('Ticket status').selectOption({ label: status });
  await page.getByRole('button', { name: new RegExp(`^State ${name}:`) }).waitFor();
}

function node(stateId: string): Locator {
  return page.locator(`g.bp-node[data-state="${stateId}"]`);
}

beforeAll(async () => {
  await buildSpaIfMissing();
  dataDir = mkdtempSync(join(tmpdir(), 'desk-browser-blueprints-'));
  desk = await startLocal({ port: 0, jvm: 'fast-start', dataDir, inMemory: true, seed: true, quiet: true });
  adminToken = await login('admin@demo.local');
  browser = await launchChromium();
  context = await browser.newContext({ baseURL: desk.url, viewport: { width: 1440, height: 1000 } });
  page = await context.newPage();
  // The page's clock runs with real time until a test moves it forward.
  await page.clock.install();
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

describe('Blueprints in the agent SPA', () => {
  it(
    'an admin builds and publishes a three-state blueprint in the designer; graph errors come first',
    async () => {
      await signIn('admin@demo.local');
      await page
        .getByRole('navigation', { name: 'Admin' })
        .getByRole('link', { name: 'Blueprint designer' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Blueprint designer' }).waitFor();
      // The demo's sample blueprint opens laid out by distance from its start state.
      await page.getByRole('link', { name: 'Returns', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Returns' }).waitFor();
      await page.getByRole('button', { name: 'State Requested: Open, start state' }).waitFor();
      expect(await page.locator('g.bp-node').count()).toBe(7);
      expect(await page.locator('.bp-edge-label').count()).toBe(6);
      await page.getByRole('button', { name: /^Transition Confirm item received:/ }).click();
      expect(await page.getByLabel('Transition ID').inputValue()).toBe('receive-item');
      expect(await page.getByLabel('Field 1: type').inputValue()).toBe('picklist');
      // Wider than the page: it scrolls, or scales down to fit.
      const canvasWrap = page.locator('.bp-canvas-wrap');
      const sampleCanvas = page.locator('svg.bp-canvas');
      expect((await sampleCanvas.boundingBox())?.width).toBeGreaterThan(
        (await canvasWrap.boundingBox())?.width ?? 0,
      );
      await page.getByRole('button', { name: 'Fit to width' }).click();
      expect((await sampleCanvas.boundingBox())?.width).toBeLessThanOrEqual(
        (await canvasWrap.boundingBox())?.width ?? 0,
      );
      await page.screenshot({ path: join(RESULTS, 'blueprints-designer-sample.png') });
      await page.getByRole('main').getByRole('link', { name: 'Blueprints', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Blueprint designer' }).waitFor();

      await page.getByRole('link', { name: 'New blueprint' }).click();
      await page.getByRole('heading', { level: 1, name: 'New blueprint' }).waitFor();
      await page.getByLabel('Blueprint name').fill(BLUEPRINT_NAME);
      // The id follows the name.
      expect(await page.getByLabel('ID', { exact: true }).inputValue()).toBe(BLUEPRINT_ID);
      await page.getByLabel('Department', { exact: true }).selectOption({ label: 'Technical Support' });
      await page.getByRole('group', { name: 'Channel is one of' }).getByLabel('Phone').check();

      await addState('Triage', 'Open');
      // The first state is where tickets enter.
      expect(await page.getByRole('radio', { name: 'Start state' }).isChecked()).toBe(true);
      await page.getByLabel('Time limit (minutes)').fill('60');
      await page.getByLabel('Time limit clock').selectOption({ label: 'calendar time' });
      await addState('Fixing', 'Open');
      expect(await page.getByRole('radio', { name: 'Start state' }).isChecked()).toBe(false);
      await addState('Done', 'Solved');
      await page.getByRole('checkbox', { name: 'Final state' }).check();
      await page.getByRole('button', { name: 'State Done: Solved, final' }).waitFor();

      // Drag from Triage's connector onto Fixing: a transition, selected for editing.
      const from = await center(page.locator('circle.bp-connector[data-state="triage"]'));
      const to = await center(node('fixing'));
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move((from.x + to.x) / 2, from.y + 30, { steps: 4 });
      await page.mouse.move(to.x, to.y, { steps: 6 });
      await page.locator('g.bp-node.is-target[data-state="fixing"]').waitFor();
      await page.mouse.up();
      const transitionName = page.getByLabel('Transition name');
      await transitionName.and(page.locator(':focus')).waitFor();
      expect(await transitionName.inputValue()).toBe('Move to Fixing');
      await transitionName.fill('Start fixing');
      await page.getByRole('button', { name: 'Transition Start fixing: Triage to Fixing' }).waitFor();
      // Performers default to the blueprint's department.
      expect(
        await page.getByRole('group', { name: 'Departments' }).getByLabel('Technical Support').isChecked(),
      ).toBe(true);
      await page.getByRole('button', { name: 'Add field' }).click();
      await page.getByLabel('Field 1: label').and(page.locator(':focus')).waitFor();
      await page.getByLabel('Field 1: label').fill('Root cause');
      expect(await page.getByLabel('Field 1: ID').inputValue()).toBe('root_cause');
      expect(await page.getByLabel('Field 1: type').inputValue()).toBe('text');
      await page.screenshot({ path: join(RESULTS, 'blueprints-designer-transition.png') });

      // Fixing leads nowhere yet: the server refuses the graph and names the states at fault.
      await page.getByRole('button', { name: 'Publish' }).first().click();
      const banner = page.getByRole('alert').filter({ hasText: 'The blueprint was not published' });
      await banner.waitFor();
      await banner.getByRole('button', { name: /"Fixing" \(fixing\) is a dead end/ }).waitFor();
      await banner.getByRole('button', { name: /"Done" \(done\) cannot be reached/ }).waitFor();
      await page.locator('g.bp-node.is-invalid[data-state="fixing"]').waitFor();
      forgive('400 (Bad Request)');
      await page.screenshot({ path: join(RESULTS, 'blueprints-designer-error.png'), fullPage: true });
      // The problem takes you to the state.
      await banner.getByRole('button', { name: /"Fixing" \(fixing\) is a dead end/ }).click();
      expect(await page.getByLabel('State name').inputValue()).toBe('Fixing');

      // The keyboard way to connect: the "Add transition" form.
      const addTransition = page.getByRole('form', { name: 'Add transition' });
      await addTransition.getByLabel('From').selectOption({ label: 'Fixing' });
      await addTransition.getByLabel('To').selectOption({ label: 'Done' });
      await addTransition.getByRole('button', { name: 'Add transition' }).click();
      await transitionName.and(page.locator(':focus')).waitFor();
      await transitionName.fill('Mark fixed');
      await page.getByRole('button', { name: 'Transition Mark fixed: Fixing to Done' }).waitFor();

      // Drag Done further down: the designer keeps where the boxes are (in the browser only).
      const canvas = page.locator('svg.bp-canvas');
      const done = await center(node('done'));
      await page.mouse.move(done.x, done.y);
      await page.mouse.down();
      await page.mouse.move(done.x, done.y + 150, { steps: 8 });
      await page.mouse.up();
      const relativeTop = async (stateId: string) =>
        ((await node(stateId).boundingBox())?.y ?? 0) - ((await canvas.boundingBox())?.y ?? 0);
      const doneTop = await relativeTop('done');
      expect(doneTop - (await relativeTop('fixing'))).toBeGreaterThan(140);

      await page.getByRole('button', { name: 'Publish' }).first().click();
      await page
        .getByRole('status')
        .filter({ hasText: `Published “${BLUEPRINT_NAME}” as version 1` })
        .waitFor();
      await page.waitForURL(`**/admin/blueprints/${BLUEPRINT_ID}`);
      await page.getByRole('heading', { level: 1, name: BLUEPRINT_NAME }).waitFor();
      await page.locator('.page-subtitle').filter({ hasText: 'Version 1' }).waitFor();
      // Loaded again from the server: both arrows, and the boxes where they were.
      await page.getByRole('button', { name: 'Transition Start fixing: Triage to Fixing' }).waitFor();
      await page.getByRole('button', { name: 'Transition Mark fixed: Fixing to Done' }).waitFor();
      expect(Math.abs((await relativeTop('done')) - doneTop)).toBeLessThan(2);
      await page.screenshot({ path: join(RESULTS, 'blueprints-designer.png'), fullPage: true });

      // The server has it, as drawn.
      const { items } = await apiGet<{ items: BlueprintHead[] }>('/blueprints');
      expect(items.find((b) => b.id === BLUEPRINT_ID)).toMatchObject({
        name: BLUEPRINT_NAME,
        departmentId: 'technical',
        latestVersion: 1,
        updatedBy: 'admin@demo.local',
      });
      const { definition } = await apiGet<{ definition: BlueprintDefinition }>(`/blueprints/${BLUEPRINT_ID}`);
      expect(definition).toMatchObject({
        id: BLUEPRINT_ID,
        version: 1,
        departmentId: 'technical',
        entry: { conditions: [{ field: 'channel', operator: 'in', value: ['phone'] }] },
        startState: 'triage',
        states: [
          { id: 'triage', name: 'Triage', status: 'open', timeLimit: { minutes: 60, clock: 'calendar' } },
          { id: 'fixing', name: 'Fixing', status: 'open' },
          { id: 'done', name: 'Done', status: 'solved', final: true },
        ],
        transitions: [
          {
            id: 'start-fixing',
            name: 'Start fixing',
            from: 'triage',
            to: 'fixing',
            performers: { departmentIds: ['technical'] },
            requiredFields: [{ fieldId: 'root_cause', label: 'Root cause', type: 'text' }],
          },
          { id: 'mark-fixed', name: 'Mark fixed', from: 'fixing', to: 'done' },
        ],
      });
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'a new Technical Support ticket enters the blueprint and moves through it from the ticket page',
    async () => {
      const created = await fetch(`${desk.url}/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          subject: SUBJECT,
          description: 'The label printer crashes as soon as it starts.',
          customer: { email: `pat-${unique}@example.com`, name: 'Pat Printer' },
          departmentId: 'technical',
          channel: 'phone',
        }),
      });
      expect(created.status).toBe(201);
      ticketId = ((await created.json()) as Ticket).id;
      // The ticket enters from the table's stream, a moment after creation.
      const entered = await eventually(() => apiGet<Ticket>(`/tickets/${ticketId}`), {
        timeoutMs: 30_000,
        intervalMs: 200,
        accept: (t) => t.blueprint !== null,
        what: 'the new ticket to enter the blueprint',
      });
      expect(entered.blueprint).toMatchObject({
        blueprintId: BLUEPRINT_ID,
        stateId: 'triage',
        completed: false,
      });
      expect(entered.status).toBe('open');

      await page.goto(`/tickets/${ticketId}`);
      await page.getByRole('heading', { level: 1, name: SUBJECT }).waitFor();
      const panel = page.getByRole('region', { name: 'Blueprint' });
      await panel.getByRole('link', { name: BLUEPRINT_NAME }).waitFor();
      await panel.locator('.bp-state').filter({ hasText: 'Triage' }).waitFor();
      const time = panel.locator('.bp-time');
      await time.filter({ hasText: /^(1 h|59 min) left$/ }).waitFor();
      expect(await time.getAttribute('data-overdue')).toBe('false');
      // The status moves only through the blueprint.
      const details = page.getByRole('region', { name: 'Ticket details' });
      const status = details.getByLabel('Status', { exact: true });
      expect(await status.isDisabled()).toBe(true);
      await details
        .getByText(`The status follows the blueprint “${BLUEPRINT_NAME}”: use its transitions.`)
        .waitFor();
      await page.screenshot({ path: join(RESULTS, 'blueprints-ticket.png') });

      // Past the time limit (the page's clock only), the time left turns red.
      const pageNow = await page.evaluate(() => Date.now());
      const deadline = Date.parse(entered.blueprint?.deadlineAt ?? '');
      expect(Number.isNaN(deadline)).toBe(false);
      await page.clock.fastForward(deadline - pageNow + 2 * 60_000);
      await time.filter({ hasText: /^overdue by [23] min$/ }).waitFor();
      expect(await time.getAttribute('data-overdue')).toBe('true');
      expect(await time.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(201, 42, 42)');

      // "Start fixing" without its required field: the server's message shows at the field.
      await panel.getByRole('button', { name: 'Start fixing' }).click();
      const form = panel.getByRole('form', { name: 'Start fixing: move to Fixing' });
      const rootCause = form.getByLabel('Root cause');
      await rootCause.and(page.locator(':focus')).waitFor();
      await form.getByRole('button', { name: 'Move to Fixing' }).click();
      await form
        .locator('.field-error')
        .filter({ hasText: '"Root cause" (root_cause) is required' })
        .waitFor();
      expect(await rootCause.getAttribute('aria-invalid')).toBe('true');
      await rootCause.and(page.locator(':focus')).waitFor();
      forgive('400 (Bad Request)');
      await page.screenshot({ path: join(RESULTS, 'blueprints-transition-error.png') });

      await rootCause.fill('Outdated driver');
      await form.getByRole('button', { name: 'Move to Fixing' }).click();
      await panel.locator('.bp-state').filter({ hasText: 'Fixing' }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Start fixing: moved to “Fixing”' }).waitFor();
      await page.locator('.tl-event').filter({ hasText: 'Start fixing: Triage → Fixing' }).waitFor();
      await time.filter({ hasText: 'No time limit' }).waitFor();

      await panel.getByRole('button', { name: 'Mark fixed' }).click();
      await panel.getByRole('button', { name: 'Move to Done' }).click();
      await panel.locator('.bp-state').filter({ hasText: 'Done' }).waitFor();
      await panel.getByText('Completed', { exact: true }).waitFor();
      await page.locator('.ticket-meta .badge').filter({ hasText: 'Solved' }).waitFor();
      // Complete: the status is free again.
      await status.and(page.locator(':enabled')).waitFor();
      await page.screenshot({ path: join(RESULTS, 'blueprints-ticket-done.png') });

      const done = await apiGet<Ticket>(`/tickets/${ticketId}`);
      expect(done.status).toBe('solved');
      expect(done.customFields).toMatchObject({ root_cause: 'Outdated driver' });
      expect(done.blueprint).toMatchObject({ stateId: 'done', completed: true });
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'the dashboard counts the completed run and both transitions',
    async () => {
      // The roll-ups follow the stream: wait until they have this run.
      await eventually(() => apiGet<Dashboard>(`/blueprints/${BLUEPRINT_ID}/dashboard`), {
        timeoutMs: 30_000,
        intervalMs: 200,
        accept: (d) => d.completed === 1,
        what: 'the dashboard to count the completed run',
      });
      await page
        .getByRole('navigation', { name: 'Processes' })
        .getByRole('link', { name: 'Blueprints' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Blueprints' }).waitFor();
      await page.getByRole('link', { name: BLUEPRINT_NAME, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: BLUEPRINT_NAME }).waitFor();

      const card = (label: string) =>
        page.locator('.bp-card').filter({ hasText: label }).locator('.bp-card-value');
      expect(await card('Completed').textContent()).toBe('1');
      expect(await card('Active').textContent()).toBe('0');
      expect(await card('Overdue now').textContent()).toBe('0');
      expect(await card('Average completion time').textContent()).not.toBe('—');

      const chart = page.getByRole('region', { name: 'Transitions performed' });
      const bars = chart.getByRole('img');
      expect(await bars.getAttribute('aria-label')).toBe(
        'Transitions performed: Start fixing 1, Mark fixed 1',
      );
      // Only the page's clock ran ahead: on the server's, no state was left overdue.
      expect(
        await page
          .getByRole('region', { name: 'Time-limit violations per state' })
          .getByRole('img')
          .getAttribute('aria-label'),
      ).toBe('Time-limit violations per state: Triage 0, Fixing 0, Done 0');
      await page.screenshot({ path: join(RESULTS, 'blueprints-dashboard.png'), fullPage: true });

      await chart.getByRole('button', { name: 'Show as table' }).click();
      const table = chart.getByRole('table', { name: 'Transitions performed' });
      await table.waitFor();
      expect(
        await table
          .getByRole('row', { name: /Start fixing/ })
          .getByRole('cell')
          .textContent(),
      ).toBe('1');
      expect(
        await table
          .getByRole('row', { name: /Mark fixed/ })
          .getByRole('cell')
          .textContent(),
      ).toBe('1');
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'agents see the dashboards but not the designer',
    async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn('agent@demo.local');
      expect(await page.getByRole('navigation', { name: 'Admin' }).count()).toBe(0);
      await page
        .getByRole('navigation', { name: 'Processes' })
        .getByRole('link', { name: 'Blueprints' })
        .click();
      await page.getByRole('link', { name: BLUEPRINT_NAME, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: BLUEPRINT_NAME }).waitFor();
      expect(await page.getByRole('link', { name: 'Edit in the designer' }).count()).toBe(0);
      await page.goto(`/admin/blueprints/${BLUEPRINT_ID}`);
      await page.getByRole('heading', { level: 1, name: 'Admins only' }).waitFor();
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'a warehouse agent opens the page of a returns ticket waiting for the warehouse',
    async () => {
      const subject = `Return a lamp ${unique}`;
      const created = await fetch(`${desk.url}/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          subject,
          description: 'The lamp flickers.',
          customer: { email: `lou-${unique}@example.com`, name: 'Lou Lamp' },
          departmentId: 'returns',
          channel: 'web',
        }),
      });
      expect(created.status).toBe(201);
      const id = ((await created.json()) as Ticket).id;
      const ritaToken = await login('rita@demo.local');
      const move = async (stateId: string, transition: string, fields?: Record<string, unknown>) => {
        // The run waits with the machine's task token before the next move (see the e2e test).
        await eventually(async () => desk.app.blueprints?.getRun(id), {
          timeoutMs: 30_000,
          intervalMs: 100,
          accept: (stored) => stored?.run.stateId === stateId && stored.run.taskToken !== null,
          what: `the run waiting in ${stateId}`,
        });
        const response = await fetch(`${desk.url}/tickets/${id}/transitions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ritaToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ transition, ...(fields ? { fields } : {}) }),
        });
        expect(response.status).toBe(200);
      };
      await move('requested', 'approve', { order_number: 'L-7' });
      await move('approved', 'send-label');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn('walt@demo.local');
      await page.goto(`/tickets/${id}`);
      await page.getByRole('heading', { level: 1, name: subject }).waitFor();
      const panel = page.getByRole('region', { name: 'Blueprint' });
      await panel.locator('.bp-state').filter({ hasText: 'Label sent' }).waitFor();
      await panel.getByRole('button', { name: 'Confirm item received' }).waitFor();
      await page
        .locator('.tl-event')
        .filter({ hasText: 'Send return label: Approved → Label sent' })
        .waitFor();
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});
