import { startVerification } from '../verify/stream.js';
import { verifyPayload } from '../verify/verify.js';
import { buildWebhookHandler } from './core.js';
import type { EventMap, WebhookHandler, WebhookHandlerOptions } from './types.js';

/**
 * Creates a framework-free webhook endpoint: verifies the signature and freshness, parses the body,
 * deduplicates by event id (an in-memory store by default), and runs the handler registered for the
 * event name. Hand it to an adapter (`allthings-webhooks/node`, `/fastify`, `/koa`, `/fetch`, `/lambda`)
 * or call `handle({ rawBody, headers })` yourself.
 *
 * | answer | status |
 * | --- | --- |
 * | processed, duplicate of a done event, unhandled type, stale update, unsigned setup ping | 200 |
 * | invalid JSON, no event id or name | 400 |
 * | verification failed (or unsigned ping with `unsignedPing: 'reject'`) | 401 |
 * | same event still in flight | 409 |
 * | your handler threw | 500 |
 * | the store is unreachable | 503 |
 *
 * Throws `TypeError` at creation for programming errors (no secret, `on` not an object, bad options).
 *
 * @example
 * ```ts
 * type Events = { 'ticket.created': { ticketId: string } };
 * const webhooks = createWebhookHandler<Events>({
 *   secret: process.env.ALLTHINGS_WEBHOOK_SECRET!,
 *   on: { 'ticket.created': async (event) => createTicket(event.data.ticketId) },
 *   onRejected: ({ reason }) => metrics.increment(reason),
 * });
 * ```
 */
export function createWebhookHandler<E extends object = EventMap>(options: WebhookHandlerOptions<E>): WebhookHandler {
  return buildWebhookHandler(options, verifyPayload, startVerification);
}
