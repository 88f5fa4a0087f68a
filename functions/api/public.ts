/**
 * The customer web form: no agent token. Rate-limited per source address, a
 * honeypot field turns bots away, and the answer carries only the new
 * ticket's number, never data about the customer or other tickets.
 */

import { RateLimited } from '../domain/shared/errors.js';
import { createTicket } from '../domain/tickets/use-cases.js';
import { createApiHandler, HttpError, idempotencyKey, json, parseBody } from './http.js';
import { PublicTicketRequestSchema } from './schemas.js';

export const handler = createApiHandler({
  'POST /public/tickets': async (request) => {
    const { app } = request;
    const sourceIp = request.event.requestContext.http?.sourceIp ?? 'unknown';
    const body = parseBody(request, PublicTicketRequestSchema);
    if (body.website) {
      throw new HttpError(400, 'rejected', 'This submission looks automated and was not accepted');
    }
    const limit = app.config.PUBLIC_RATE_LIMIT_PER_MINUTE;
    const rate = await app.deps.rateLimiter.hit(`public-ticket:${sourceIp}`, limit, 60);
    if (!rate.allowed) {
      throw new RateLimited(
        `Too many requests from your address: at most ${limit} per minute. Try again in ${rate.retryAfterSeconds} s`,
        rate.retryAfterSeconds,
      );
    }
    const idempotency = idempotencyKey(request, `public-tickets:${body.email.toLowerCase()}`);
    const { ticket } = await createTicket(app.deps, {
      subject: body.subject,
      description: body.description,
      customer: { email: body.email, name: body.name },
      channel: 'web',
      createdBy: 'customer',
      ...(idempotency ? { idempotency } : {}),
    });
    return json(201, { number: ticket.number });
  },
});
