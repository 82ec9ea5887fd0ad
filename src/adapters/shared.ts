import type { WebhookHandler } from '../handler/types.js';

/** Throws `TypeError` unless `handler` came from `createWebhookHandler`. */
export function checkHandler(handler: unknown, where: string): asserts handler is WebhookHandler {
  const h = handler as Partial<WebhookHandler> | null;
  if (!h || typeof h.handle !== 'function' || typeof h.reject !== 'function') {
    throw new TypeError(
      `allthings-webhooks: ${where} takes the handler from createWebhookHandler({ secret, on }), e.g. ` +
        `${where}(createWebhookHandler({ secret, on: { 'ticket.created': handleTicket } })).`,
    );
  }
}

/** Hop-by-hop headers a Fetch `Response` or a Lambda result must not carry. */
export function endToEndHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (name !== 'connection') out[name] = value;
  return out;
}
