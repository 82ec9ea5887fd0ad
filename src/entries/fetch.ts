// `allthings-webhooks/fetch`: Fetch API handlers (Hono, Next.js, Cloudflare Workers, Bun, Deno). Re-exports only.
export {
  createFetchHandler,
  type FetchHandlerOptions,
  type FetchRequestLike,
  type FetchWebhookHandler,
} from '../adapters/fetch.js';
