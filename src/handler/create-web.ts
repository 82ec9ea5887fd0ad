import { verifyPayload } from '../verify/verify-web.js';
import { buildWebhookHandler } from './core.js';
import type { EventMap, WebhookHandler, WebhookHandlerOptions } from './types.js';

/**
 * `createWebhookHandler` for runtimes without `node:crypto` (Cloudflare Workers, Deno, Bun): the same
 * handler, verifying with Web Crypto. Pair it with `allthings-webhooks/fetch`.
 *
 * @example
 * ```ts
 * import { createWebhookHandler } from 'allthings-webhooks/web';
 * import { createFetchHandler } from 'allthings-webhooks/fetch';
 *
 * export default {
 *   fetch: (request: Request, env: { SECRET: string }) =>
 *     createFetchHandler(createWebhookHandler({ secret: env.SECRET, on: { 'ticket.created': async () => {} } }))(request),
 * };
 * ```
 */
export function createWebhookHandler<E extends object = EventMap>(options: WebhookHandlerOptions<E>): WebhookHandler {
  return buildWebhookHandler(options, verifyPayload);
}
