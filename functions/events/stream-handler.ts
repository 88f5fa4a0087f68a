/**
 * The events handler: reacts to every change of the table, read from its
 * stream (DynamoDB Streams on AWS, the local stream poller locally). The write
 * is the outbox, so nothing that was saved goes unreacted-to.
 *
 * Reactions: daily roll-ups of tickets created per channel and tickets
 * solved, the base of the reports, applied once per stream record even when
 * Lambda delivers a batch again; outbound email (acknowledgements, agent
 * replies, assignment and solved notifications, see functions/email/outbound.ts);
 * SLA records and timers (functions/sla/engine.ts); agents' open-ticket
 * counters (once per record), routing rules and automatic assignment of new
 * tickets, and catching up on waiting tickets when an agent comes online
 * (functions/routing/engine.ts); workflow rules for new tickets (after
 * routing), changes by agents or rules, customer messages and agent replies,
 * once per record, with their webhooks (functions/rules/engine.ts); routing
 * again within the new department after a department move; the notifications
 * and webhooks macros leave on their entries (functions/rules/deferred.ts);
 * agents' notification feed items for assignments
 * (functions/notifications/feed.ts).
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type BlueprintContext, enterBlueprint, runCounters } from '../blueprints/engine.js';
import { blueprintContext } from '../composition/blueprints.js';
import { appContext } from '../composition/deps.js';
import { awsMailRuntime } from '../composition/mail.js';
import { BlueprintRunSchema } from '../domain/blueprints/runtime.js';
import { type LoadChange, loadChangesFor } from '../domain/routing/load.js';
import { TicketSchema, TimelineEntrySchema } from '../domain/tickets/model.js';
import { type MailTrigger, reactToMailTrigger } from '../email/outbound.js';
import { recordAssignment } from '../notifications/feed.js';
import {
  assignWaitingTickets,
  autoAssign,
  type RoutingContext,
  rerouteAfterDepartmentChange,
  routeNewTicket,
} from '../routing/engine.js';
import { reactToDeferredActions } from '../rules/deferred.js';
import {
  type RuleEvent,
  type RulesContext,
  reactToRuleEvent,
  ruleEventForEntry,
  withRulesListedOnce,
} from '../rules/engine.js';
import { reactToSlaTrigger } from '../sla/engine.js';
import { applyRollups, type RecordRollups, rollupsFor } from './rollups.js';

type Image = Parameters<typeof unmarshall>[0];

const log = (event: Record<string, unknown>) => console.log(JSON.stringify({ level: 'info', ...event }));

function ticketRollups(record: DynamoDBRecord): RecordRollups {
  const image = (raw: unknown) => (raw ? unmarshall(raw as Image) : undefined);
  const newImage = image(record.dynamodb?.NewImage);
  const oldImage = image(record.dynamodb?.OldImage);
  const isTicket = newImage?.type === 'ticket' || oldImage?.type === 'ticket';
  return { eventId: record.eventID ?? '', changes: isTicket ? rollupsFor(oldImage, newImage) : [] };
}

/** How a ticket change moves agents' open-ticket counts (empty for anything else). */
export function recordLoadChanges(record: DynamoDBRecord): LoadChange[] {
  const image = (raw: unknown) => (raw ? unmarshall(raw as Image) : undefined);
  const newImage = image(record.dynamodb?.NewImage);
  const oldImage = image(record.dynamodb?.OldImage);
  if (newImage?.type !== 'ticket' && oldImage?.type !== 'ticket') return [];
  return loadChangesFor(oldImage, newImage);
}

/** The agent a record shows coming online (availability changed to online), if any. */
export function agentCameOnline(record: DynamoDBRecord): string | null {
  if (record.eventName !== 'MODIFY') return null;
  const image = (raw: unknown) => (raw ? unmarshall(raw as Image) : undefined);
  const after = image(record.dynamodb?.NewImage);
  const before = image(record.dynamodb?.OldImage);
  if (after?.type !== 'agent' || typeof after.id !== 'string') return null;
  const online = (item: Record<string, unknown> | undefined) => (item?.availability ?? 'online') === 'online';
  return online(after) && !online(before) ? after.id : null;
}

/** The mail-relevant fact a stream record carries, if any. */
export function mailTrigger(record: DynamoDBRecord): MailTrigger | null {
  const image = (raw: unknown) => (raw ? unmarshall(raw as Image) : undefined);
  const newImage = image(record.dynamodb?.NewImage);
  if (!newImage) return null;
  if (newImage.type === 'ticket') {
    const after = TicketSchema.parse(newImage);
    if (record.eventName === 'INSERT') return { type: 'ticket-created', ticket: after };
    const oldImage = image(record.dynamodb?.OldImage);
    if (record.eventName === 'MODIFY' && oldImage) {
      return { type: 'ticket-changed', before: TicketSchema.parse(oldImage), after };
    }
  }
  if (newImage.type === 'timeline' && record.eventName === 'INSERT') {
    return { type: 'entry-added', entry: TimelineEntrySchema.parse(newImage) };
  }
  return null;
}

/** Dashboard counters of a blueprint run change (once per stream record). */
async function rollUpBlueprintRun(context: BlueprintContext, record: DynamoDBRecord): Promise<void> {
  const image = (raw: unknown) => (raw ? unmarshall(raw as Image) : undefined);
  const after = image(record.dynamodb?.NewImage);
  if (after?.type !== 'blueprintRun') return;
  const before = image(record.dynamodb?.OldImage);
  const parse = (item: Record<string, unknown>) => ({
    run: BlueprintRunSchema.parse(item.run),
    startedAt: String(item.startedAt),
  });
  const counters = runCounters(before ? parse(before) : undefined, parse(after));
  await context.store.addMetrics(
    record.eventID ?? '',
    String((after.run as { blueprintId: string }).blueprintId),
    counters,
  );
}

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const app = appContext();
  const { documentClient, config } = app;
  try {
    await applyRollups(documentClient, config.TABLE_NAME, event.Records.map(ticketRollups));
    for (const record of event.Records) {
      const changes = recordLoadChanges(record);
      if (changes.length > 0) await app.routing.applyLoadChanges(record.eventID ?? '', changes);
    }
    const routing: RoutingContext = { deps: app.deps, store: app.routing, log, pending: new Map() };
    const triggers = event.Records.flatMap((record) => {
      const trigger = mailTrigger(record);
      return trigger ? [{ trigger, eventId: record.eventID ?? '' }] : [];
    });
    const mail = triggers.length > 0 ? await awsMailRuntime(app) : null;
    const sla = { deps: app.deps, store: app.sla, timers: app.slaTimers ?? null, mail, log };
    const rules: RulesContext = {
      deps: app.deps,
      store: withRulesListedOnce(app.workflow),
      sla: app.sla,
      mail,
      log,
      assign: async (ticket, ruleName) => {
        await autoAssign(routing, ticket, { ruleName });
      },
      webhooks: app.webhooks,
      feed: app.notifications,
    };
    // One at a time, in stream order: mail is claimed per message and SLA records are
    // version-checked, so a retried batch sends nothing twice and moves no clock twice.
    const blueprints = blueprintContext(app);
    for (const { trigger, eventId } of triggers) {
      if (mail) await reactToMailTrigger({ deps: app.deps, ...mail, log }, trigger);
      await reactToSlaTrigger(sla, trigger);
      if (trigger.type === 'ticket-created') {
        await routeNewTicket(routing, trigger.ticket.id);
        await reactToRuleEvent(rules, { trigger: 'ticket_created', eventId, ticketId: trigger.ticket.id });
        await enterBlueprint(blueprints, trigger.ticket.id);
      }
      const ruleEvent: RuleEvent | null =
        trigger.type === 'entry-added' ? ruleEventForEntry(trigger.entry, eventId) : null;
      if (ruleEvent) await reactToRuleEvent(rules, ruleEvent);
      if (trigger.type === 'entry-added') {
        // After the rules: a rule reacting to a department move may already have set the team.
        await rerouteAfterDepartmentChange(routing, trigger.entry, eventId);
        await recordAssignment({ deps: app.deps, feed: app.notifications }, trigger.entry);
        await reactToDeferredActions(rules, trigger.entry);
      }
    }
    for (const record of event.Records) {
      const agentId = agentCameOnline(record);
      if (agentId) await assignWaitingTickets(routing, agentId);
    }
    for (const record of event.Records) await rollUpBlueprintRun(blueprints, record);
    return { batchItemFailures: [] };
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', message: 'stream batch failed', error: String(error) }));
    // Retry the whole batch: records already applied are recognised by their markers.
    const first = event.Records[0];
    return {
      batchItemFailures: first
        ? [{ itemIdentifier: first.dynamodb?.SequenceNumber ?? first.eventID ?? '' }]
        : [],
    };
  }
}
