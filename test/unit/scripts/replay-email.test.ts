import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { InboundSesRecord } from '../../../functions/email/inbound-handler.js';
import type { ReceiveOutcome } from '../../../functions/email/receive.js';
import {
  queueUrlFromStack,
  ReplayArgsSchema,
  type ReplayDeps,
  replayDeadLetters,
} from '../../../scripts/replay-email.js';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/Helpdesk-InboundDeadLetterQueue';
const sqs = new SQSClient({ region: 'eu-west-1' });
const cloudFormation = new CloudFormationClient({ region: 'eu-west-1' });
const sqsMock = mockClient(sqs);
const cfnMock = mockClient(cloudFormation);

/** An SES receipt event record, as the receipt rule hands it to the function. */
function sesRecord(messageId: string) {
  return {
    eventSource: 'aws:ses',
    eventVersion: '1.0',
    ses: {
      mail: {
        timestamp: '2026-03-02T09:00:00.000Z',
        source: 'ann@example.com',
        messageId,
        destination: ['support@desk.test'],
        headersTruncated: false,
        headers: [{ name: 'Subject', value: 'Printer on fire' }],
        commonHeaders: { from: ['ann@example.com'], to: ['support@desk.test'], subject: 'Printer on fire' },
      },
      receipt: {
        timestamp: '2026-03-02T09:00:00.000Z',
        processingTimeMillis: 420,
        recipients: ['support@desk.test'],
        spamVerdict: { status: 'PASS' },
        virusVerdict: { status: 'PASS' },
        spfVerdict: { status: 'PASS' },
        dkimVerdict: { status: 'GRAY' },
        dmarcVerdict: { status: 'PASS' },
        action: {
          type: 'Lambda',
          functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:inbound',
          invocationType: 'Event',
        },
      },
    },
  };
}

/** What Lambda puts in the on-failure destination after the retries. */
function failureRecord(messageId: string): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: '2026-03-02T09:03:00.000Z',
    requestContext: {
      requestId: 'c2a6f2ae-7dbb-4d22-8782-d0485c9877e2',
      functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:inbound:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: { Records: [sesRecord(messageId)] },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: {
      errorType: 'Error',
      errorMessage: 'ProvisionedThroughputExceededException',
      trace: [],
    },
  });
}

const message = (id: string, body: string): Message => ({
  MessageId: `sqs-${id}`,
  ReceiptHandle: `handle-${id}`,
  Body: body,
});

const created = (n: number): ReceiveOutcome => ({
  outcome: 'created',
  ticketId: `t-${n}`,
  ticketNumber: n,
  entryId: `e-${n}`,
  threadedBy: 'new-ticket',
});

let lines: string[];
let processed: InboundSesRecord[];

function deps(process: (record: InboundSesRecord) => Promise<ReceiveOutcome>): ReplayDeps {
  return {
    sqs,
    processRecord: async (record) => {
      processed.push(record);
      return process(record);
    },
    print: (line) => lines.push(line),
  };
}

/** The queue hands out these messages once, then nothing. */
function queueHolds(messages: Message[]): void {
  sqsMock.on(ReceiveMessageCommand).resolvesOnce({ Messages: messages }).resolves({ Messages: [] });
}

beforeEach(() => {
  sqsMock.reset();
  cfnMock.reset();
  sqsMock.on(DeleteMessageCommand).resolves({});
  sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  lines = [];
  processed = [];
});

const deleted = () => sqsMock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle);
const madeVisible = () =>
  sqsMock
    .commandCalls(ChangeMessageVisibilityBatchCommand)
    .flatMap((c) => c.args[0].input.Entries?.map((e) => [e.ReceiptHandle, e.VisibilityTimeout]) ?? []);

describe('replayDeadLetters', () => {
  it('replays each record like the inbound function and deletes the message once it succeeded', async () => {
    queueHolds([message('1', failureRecord('ses-aaa')), message('2', failureRecord('ses-bbb'))]);
    const summary = await replayDeadLetters(
      deps(async (record) =>
        record.ses.mail.messageId === 'ses-aaa'
          ? created(1001)
          : { outcome: 'duplicate', ticketId: 't', entryId: 'e' },
      ),
      { queueUrl: QUEUE_URL, dryRun: false, max: 100 },
    );
    expect(summary).toEqual({ replayed: 2, failed: 0, skipped: 0, listed: 0 });
    expect(processed.map((r) => r.ses)).toEqual([
      expect.objectContaining({
        mail: { messageId: 'ses-aaa', timestamp: '2026-03-02T09:00:00.000Z', source: 'ann@example.com' },
        receipt: expect.objectContaining({
          recipients: ['support@desk.test'],
          dkimVerdict: { status: 'GRAY' },
        }),
      }),
      expect.objectContaining({ mail: expect.objectContaining({ messageId: 'ses-bbb' }) }),
    ]);
    expect(deleted()).toEqual(['handle-1', 'handle-2']);
    expect(sqsMock.commandCalls(DeleteMessageCommand)[0]!.args[0].input.QueueUrl).toBe(QUEUE_URL);
    expect(lines).toEqual([
      'inbound/ses-aaa  created #1001 (new-ticket)',
      'inbound/ses-bbb  duplicate (recorded before)',
      '2 replayed and deleted, 0 failed, 0 skipped (failed and skipped ones stay in the queue).',
    ]);
    expect(madeVisible()).toEqual([]);
  });

  it('keeps a message whose processing fails, reports it, and goes on with the next', async () => {
    queueHolds([message('1', failureRecord('ses-bad')), message('2', failureRecord('ses-good'))]);
    const summary = await replayDeadLetters(
      deps(async (record) => {
        if (record.ses.mail.messageId === 'ses-bad')
          throw new Error('raw message inbound/ses-bad is not in the mail bucket');
        return { outcome: 'dropped', reason: 'virus' };
      }),
      { queueUrl: QUEUE_URL, dryRun: false, max: 100 },
    );
    expect(summary).toEqual({ replayed: 1, failed: 1, skipped: 0, listed: 0 });
    expect(deleted()).toEqual(['handle-2']);
    expect(lines).toEqual([
      'inbound/ses-bad  FAILED: raw message inbound/ses-bad is not in the mail bucket; left in the queue',
      'inbound/ses-good  dropped (virus)',
      '1 replayed and deleted, 1 failed, 0 skipped (failed and skipped ones stay in the queue).',
    ]);
    // Visible again at once, for the next run after the fix.
    expect(madeVisible()).toEqual([['handle-1', 0]]);
  });

  it('reports a message processed but not deleted as failed', async () => {
    queueHolds([message('1', failureRecord('ses-aaa'))]);
    sqsMock.on(DeleteMessageCommand).rejects(new Error('AccessDenied'));
    const summary = await replayDeadLetters(
      deps(async () => created(1001)),
      { queueUrl: QUEUE_URL, dryRun: false, max: 100 },
    );
    expect(summary.failed).toBe(1);
    expect(lines[0]).toBe(
      'inbound/ses-aaa  created #1001 (new-ticket), but not deleted from the queue: AccessDenied',
    );
  });

  it('lists messages with their recorded error in a dry run, processing and deleting nothing', async () => {
    queueHolds([message('1', failureRecord('ses-aaa')), message('2', '{"not":"a record"}')]);
    const process = vi.fn(async () => created(1001));
    const summary = await replayDeadLetters(deps(process), { queueUrl: QUEUE_URL, dryRun: true, max: 100 });
    expect(summary).toEqual({ replayed: 0, failed: 0, skipped: 1, listed: 1 });
    expect(process).not.toHaveBeenCalled();
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toEqual([]);
    expect(lines[0]).toBe('inbound/ses-aaa  failed before: Error: ProvisionedThroughputExceededException');
    expect(lines.at(-1)).toBe('Dry run: 1 message(s) listed, 1 skipped; nothing processed or deleted.');
    expect(madeVisible()).toEqual([
      ['handle-1', 0],
      ['handle-2', 0],
    ]);
  });

  it('skips a malformed message with a clear line and leaves it in the queue', async () => {
    queueHolds([
      message('1', 'this is not JSON'),
      message('2', JSON.stringify({ requestPayload: { Records: [{ eventSource: 'aws:s3' }] } })),
      message('3', failureRecord('ses-aaa')),
    ]);
    const summary = await replayDeadLetters(
      deps(async () => created(1001)),
      { queueUrl: QUEUE_URL, dryRun: false, max: 100 },
    );
    expect(summary).toEqual({ replayed: 1, failed: 0, skipped: 2, listed: 0 });
    expect(lines[0]).toBe('sqs-1  skipped: the body is not JSON; left in the queue');
    expect(lines[1]).toMatch(
      /^sqs-2 {2}skipped: not a failure record of the inbound function with an SES event \(requestPayload\.Records\.0\.ses: .+\); left in the queue$/,
    );
    expect(lines[2]).toBe('inbound/ses-aaa  created #1001 (new-ticket)');
    expect(deleted()).toEqual(['handle-3']);
    expect(processed).toHaveLength(1);
  });

  it('stops at --max messages and when the queue has nothing new', async () => {
    const batch = Array.from({ length: 4 }, (_, i) => message(String(i), failureRecord(`ses-${i}`)));
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: batch });
    const summary = await replayDeadLetters(
      deps(async () => created(1001)),
      { queueUrl: QUEUE_URL, dryRun: false, max: 3 },
    );
    expect(summary.replayed).toBe(3);
    expect(sqsMock.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toMatchObject({
      QueueUrl: QUEUE_URL,
      MaxNumberOfMessages: 3,
    });

    sqsMock.reset();
    sqsMock.on(DeleteMessageCommand).rejects(new Error('kept'));
    sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({});
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: batch });
    lines = [];
    // The same messages coming back (visibility ran out) end the run instead of looping.
    const again = await replayDeadLetters(
      deps(async () => created(1001)),
      { queueUrl: QUEUE_URL, dryRun: false, max: 100 },
    );
    expect(again.failed).toBe(4);
    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(2);
  });

  it('says so when the queue is empty', async () => {
    sqsMock.on(ReceiveMessageCommand).resolves({});
    const summary = await replayDeadLetters(
      deps(async () => created(1001)),
      { queueUrl: QUEUE_URL, dryRun: false, max: 100 },
    );
    expect(summary).toEqual({ replayed: 0, failed: 0, skipped: 0, listed: 0 });
    expect(lines).toEqual([
      '0 replayed and deleted, 0 failed, 0 skipped (failed and skipped ones stay in the queue).',
    ]);
  });
});

describe('replay-email arguments', () => {
  it('reads --max as a positive whole number and defaults the rest', () => {
    expect(ReplayArgsSchema.parse({ queueUrl: QUEUE_URL, max: '25' })).toEqual({
      queueUrl: QUEUE_URL,
      stack: 'Helpdesk',
      dryRun: false,
      max: 25,
    });
    expect(ReplayArgsSchema.parse({}).max).toBe(100);
    expect(ReplayArgsSchema.safeParse({ max: '0' }).success).toBe(false);
    expect(ReplayArgsSchema.safeParse({ max: 'lots' }).success).toBe(false);
    expect(ReplayArgsSchema.safeParse({ queueUrl: 'not a url' }).success).toBe(false);
  });

  it('finds the queue URL in the stack outputs, or says to pass it', async () => {
    cfnMock.on(DescribeStacksCommand, { StackName: 'Helpdesk' }).resolves({
      Stacks: [
        {
          StackName: 'Helpdesk',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'InboundDeadLetterQueueUrl', OutputValue: QUEUE_URL }],
        },
      ],
    });
    cfnMock.on(DescribeStacksCommand, { StackName: 'Old' }).resolves({
      Stacks: [{ StackName: 'Old', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }],
    });
    await expect(queueUrlFromStack(cloudFormation, 'Helpdesk')).resolves.toBe(QUEUE_URL);
    await expect(queueUrlFromStack(cloudFormation, 'Old')).rejects.toThrow(/pass --queue-url/);
  });
});
