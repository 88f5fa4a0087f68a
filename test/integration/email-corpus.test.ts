/**
 * The mail corpus (test/fixtures/email, origins in SOURCES.md): every message
 * goes through the parser, the loop rules and the whole inbound pipeline on
 * DynamoDB Local, and must come out as its manifest says, without crashing
 * anything.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEmail } from '../../functions/adapters/mail/parse.js';
import type { AppContext } from '../../functions/composition/deps.js';
import { classifyAutomation } from '../../functions/domain/email/automation.js';
import type { MailSettings } from '../../functions/domain/email/ports.js';
import { type ReceiveOutcome, receiveEmail } from '../../functions/email/receive.js';
import { FileBlobStore } from '../../local/file-blob-store.js';
import { freshTable, seedOrg } from './support.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'email');

interface Expectation {
  from: string | null;
  subject?: string;
  subjectIncludes?: string;
  bodyIncludes: string | null;
  attachments: string[];
  automated: 'human' | 'auto-reply' | 'bulk' | 'list' | 'bounce';
}
interface Fixture {
  file: string;
  category: string;
  generated: boolean;
  expect: Expectation;
}

const manifest: Fixture[] = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8'));

function emlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory()
      ? emlFiles(path)
      : name.endsWith('.eml')
        ? [relative(FIXTURES, path)]
        : [];
  });
}

const collapse = (text: string) => text.replace(/\s+/g, ' ');

let app: AppContext;
let blobDir: string;
let settings: MailSettings;
const outcomes = new Map<string, ReceiveOutcome>();

beforeAll(async () => {
  app = await freshTable();
  await seedOrg(app);
  blobDir = mkdtempSync(join(tmpdir(), 'corpus-blobs-'));
  settings = {
    signingSecret: 'corpus-signing-secret-0123456789abcdef',
    supportAddresses: [{ address: 'support@desk.test', departmentId: 'general' }],
    deskName: 'Corpus Desk',
    maxAttachmentBytes: 25 * 1024 * 1024,
    autoRepliesPerSenderPerHour: 5,
  };
});

afterAll(() => rmSync(blobDir, { recursive: true, force: true }));

describe('the mail corpus', () => {
  it('lists every fixture file in the manifest, and only those', () => {
    expect(manifest.map((f) => f.file).sort()).toEqual(emlFiles(FIXTURES).sort());
    expect(manifest.filter((f) => !f.generated).length).toBeGreaterThanOrEqual(60);
  });

  describe.each(manifest.map((f) => [f.file, f] as const))('%s', (_file, fixture) => {
    const raw = () => readFileSync(join(FIXTURES, fixture.file));

    it('parses: sender, subject, a body fragment, attachment names, automation', async () => {
      const mail = await parseEmail(raw());
      const want = fixture.expect;
      if (want.from) expect(mail.from?.address).toBe(want.from);
      if (want.subject !== undefined) expect(mail.subject).toBe(collapse(want.subject).trim());
      if (want.subjectIncludes) expect(mail.subject).toContain(want.subjectIncludes);
      if (want.bodyIncludes) expect(collapse(mail.text)).toContain(collapse(want.bodyIncludes));
      const names = mail.attachments.map((a) => a.filename);
      for (const name of want.attachments) expect(names).toContain(name);
      const automation = classifyAutomation({
        headers: mail.headers,
        fromAddress: mail.from?.address ?? null,
        isDeliveryReport: mail.isDeliveryReport,
      });
      expect(automation.kind).toBe(want.automated);
    });

    it('goes through the inbound pipeline on DynamoDB Local without loss', async () => {
      const blobs = new FileBlobStore(blobDir, Buffer.from('k'), () => 'http://localhost');
      const key = `inbound/${fixture.file.replace(/[^a-z0-9]+/gi, '-')}`;
      const bytes = raw();
      await blobs.put(key, bytes, 'message/rfc822');
      const outcome = await receiveEmail(
        { deps: app.deps, blobs, settings },
        {
          raw: bytes,
          storageKey: key,
          receivedAt: new Date('2026-11-23T10:00:00Z'),
          recipients: ['support@desk.test'],
          envelopeFrom: null,
          verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
        },
      );
      outcomes.set(fixture.file, outcome);
      const want = fixture.expect;
      if (want.automated === 'bounce') {
        // Bounces concern mail this desk never sent: dropped, never a ticket, never answered.
        expect(outcome).toEqual({ outcome: 'dropped', reason: 'bounce-unmatched' });
        return;
      }
      if (!want.from) {
        expect(['created', 'dropped']).toContain(outcome.outcome);
        return;
      }
      expect(['created', 'duplicate']).toContain(outcome.outcome);
      if (outcome.outcome !== 'created') return;
      const ticket = await app.deps.tickets.get(outcome.ticketId);
      expect(ticket?.channel).toBe('email');
      expect(ticket?.requester.email).toBe(want.from);
      const [entry] = (await app.deps.tickets.timeline(outcome.ticketId, { limit: 5, includeNotes: true }))
        .items;
      expect(entry?.email?.rawKey).toBe(key);
      if (want.bodyIncludes) expect(collapse(entry?.body ?? '')).toContain(collapse(want.bodyIncludes));
      const stored = (entry?.attachments ?? []).map((a) => a.name);
      for (const name of want.attachments) expect(stored).toContain(name);
      for (const file of entry?.attachments ?? []) expect(await blobs.get(file.key)).not.toBeNull();
      if (entry?.html) expect(entry.html).not.toMatch(/<script|\son[a-z]+=|javascript:/i);
    });

    it('records a second delivery of the same message once', async () => {
      const first = outcomes.get(fixture.file);
      if (!first || first.outcome === 'dropped') return;
      const blobs = new FileBlobStore(blobDir, Buffer.from('k'), () => 'http://localhost');
      const again = await receiveEmail(
        { deps: app.deps, blobs, settings },
        {
          raw: raw(),
          storageKey: 'inbound/again',
          receivedAt: new Date('2026-11-23T10:05:00Z'),
          recipients: ['support@desk.test'],
          envelopeFrom: null,
          verdicts: {},
        },
      );
      expect(again.outcome).toBe('duplicate');
    });
  });
});
