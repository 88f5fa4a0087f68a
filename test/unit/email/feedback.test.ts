import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryMailLedger } from '../../../functions/adapters/memory/mail.js';
import { memoryDeps } from '../../../functions/adapters/memory/memory-store.js';
import type { MailRuntime } from '../../../functions/composition/mail.js';
import type { MailSettings } from '../../../functions/domain/email/ports.js';
import { ourMessageId } from '../../../functions/domain/email/signing.js';
import { createTicket } from '../../../functions/domain/tickets/use-cases.js';
import { applyFeedback, SesFeedbackSchema } from '../../../functions/email/feedback-handler.js';

const SECRET = 'feedback-test-signing-secret-0123456789';
const settings: MailSettings = {
  signingSecret: SECRET,
  supportAddresses: [{ address: 'support@desk.test', departmentId: null }],
  deskName: 'Test Desk',
  maxAttachmentBytes: 1_048_576,
  autoRepliesPerSenderPerHour: 5,
};

let deps: ReturnType<typeof memoryDeps>;
let ledger: MemoryMailLedger;
let mail: MailRuntime;
let ticketId: string;

beforeEach(async () => {
  deps = memoryDeps();
  ledger = new MemoryMailLedger();
  mail = {
    ledger,
    settings,
    mailer: {
      send: async () => {
        throw new Error('feedback never sends mail');
      },
    },
    blobs: {
      put: async () => undefined,
      get: async () => null,
      signedUrl: async (key) => `memory://${key}`,
    },
  };
  const { ticket } = await createTicket(deps, {
    subject: 'Printer on fire',
    description: 'Help',
    customer: { email: 'ann@example.com', name: 'Ann' },
    channel: 'email',
    createdBy: 'customer',
  });
  ticketId = ticket.id;
});

const sentId = () => ourMessageId(SECRET, 1001, '01HZX3K6W8Q2N4M7P9R1T5V0YB', 'desk.test');

/** The `mail` object of an SES notification with the original headers included. */
function mailObject(messageId: string, to: string[]) {
  return {
    timestamp: '2026-03-02T09:00:00.000Z',
    source: 'support@desk.test',
    sourceArn: 'arn:aws:ses:eu-west-1:123456789012:identity/desk.test',
    sourceIp: '192.0.2.10',
    sendingAccountId: '123456789012',
    messageId: '0102018e5b7c1a2b-8c1d7e2f-0a3b-4c5d-9e8f-123456789abc-000000',
    destination: to,
    headersTruncated: false,
    headers: [
      { name: 'From', value: 'Test Desk <support@desk.test>' },
      { name: 'To', value: to.join(', ') },
      { name: 'Subject', value: 'Re: [#1001] Printer on fire' },
      { name: 'Message-ID', value: `<${messageId}>` },
    ],
    commonHeaders: {
      from: ['Test Desk <support@desk.test>'],
      to,
      messageId: `<${messageId}>`,
      subject: 'Re: [#1001] Printer on fire',
    },
  };
}

function permanentBounce(messageId: string) {
  return SesFeedbackSchema.parse({
    notificationType: 'Bounce',
    bounce: {
      feedbackId: '0102018e5b7c1a2b-feedback-000000',
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [
        {
          emailAddress: 'Ann@Example.com',
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        },
        { emailAddress: 'carol@example.com', action: 'failed', status: '5.1.1' },
      ],
      timestamp: '2026-03-02T09:00:02.000Z',
      remoteMtaIp: '198.51.100.7',
      reportingMTA: 'dsn; a1-2.smtp-out.eu-west-1.amazonses.com',
    },
    mail: mailObject(messageId, ['ann@example.com', 'carol@example.com']),
  });
}

const systemEntries = () => (deps.state.entries.get(ticketId) ?? []).filter((e) => e.kind === 'system');

describe('applyFeedback', () => {
  it('suppresses permanently bounced addresses and notes it on the ticket our Message-ID names', async () => {
    const suppressed = await applyFeedback(deps, mail, permanentBounce(sentId()));
    expect(suppressed).toEqual(['ann@example.com', 'carol@example.com']);
    expect(ledger.suppressed.get('ann@example.com')).toEqual({
      reason: 'permanent bounce (General)',
      at: deps.clock.now().toISOString(),
    });
    expect(ledger.suppressed.get('carol@example.com')?.reason).toBe('permanent bounce (General)');
    const [entry, ...more] = systemEntries();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ author: { type: 'system' }, channel: 'email' });
    expect(entry?.body).toBe(
      'Mail to ann@example.com, carol@example.com could not be delivered: permanent bounce (General). ' +
        'The desk will not mail these addresses again.',
    );
  });

  it('suppresses the complaining address and notes it on the ticket', async () => {
    const feedback = SesFeedbackSchema.parse({
      notificationType: 'Complaint',
      complaint: {
        feedbackId: '0102018e5b7c1a2b-complaint-000000',
        complaintSubType: null,
        complainedRecipients: [{ emailAddress: 'ann@example.com' }],
        timestamp: '2026-03-02T10:00:00.000Z',
        userAgent: 'ExampleCorp Feedback Loop (V0.01)',
        complaintFeedbackType: 'abuse',
        arrivalDate: '2026-03-02T09:59:00.000Z',
      },
      mail: mailObject(sentId(), ['ann@example.com']),
    });
    expect(await applyFeedback(deps, mail, feedback)).toEqual(['ann@example.com']);
    expect(ledger.suppressed.get('ann@example.com')?.reason).toBe('complaint (abuse)');
    expect(systemEntries().map((e) => e.body)).toEqual([
      'ann@example.com marked our mail as spam (complaint (abuse)). The desk will not mail this address again.',
    ]);
  });

  it('finds the Message-ID in the header list when the common headers lack it', async () => {
    const feedback = permanentBounce(sentId());
    delete feedback.mail.commonHeaders;
    await applyFeedback(deps, mail, feedback);
    expect(systemEntries()).toHaveLength(1);
  });

  it('suppresses but notes nothing for mail whose Message-ID is not ours', async () => {
    const forged = sentId().replace(/[a-z2-7]{16}@/, 'aaaaaaaaaaaaaaaa@');
    expect(await applyFeedback(deps, mail, permanentBounce(forged))).toHaveLength(2);
    expect(await applyFeedback(deps, mail, permanentBounce('something@else.example'))).toHaveLength(2);
    expect(systemEntries()).toEqual([]);
    expect(ledger.suppressed.size).toBe(2);
  });

  it('does nothing for a transient bounce or a delivery', async () => {
    const transient = permanentBounce(sentId());
    transient.bounce = { ...transient.bounce!, bounceType: 'Transient', bounceSubType: 'MailboxFull' };
    expect(await applyFeedback(deps, mail, transient)).toEqual([]);
    const delivery = SesFeedbackSchema.parse({
      notificationType: 'Delivery',
      mail: mailObject(sentId(), ['ann@example.com']),
    });
    expect(await applyFeedback(deps, mail, delivery)).toEqual([]);
    expect(ledger.suppressed.size).toBe(0);
    expect(systemEntries()).toEqual([]);
  });

  it('ignores an undetermined bounce too (SES could not tell; not a reason to stop mailing)', async () => {
    const undetermined = permanentBounce(sentId());
    undetermined.bounce = { ...undetermined.bounce!, bounceType: 'Undetermined' };
    expect(await applyFeedback(deps, mail, undetermined)).toEqual([]);
  });
});

describe('a notification delivered twice by SNS', () => {
  it('suppresses once and notes it on the ticket once', async () => {
    const feedback = permanentBounce(sentId());
    await applyFeedback(deps, mail, feedback);
    await applyFeedback(deps, mail, feedback);
    expect(systemEntries()).toHaveLength(1);
  });
});
