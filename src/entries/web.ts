// `allthings-webhooks/web`: the same API on Web Crypto, for runtimes without node:crypto (Cloudflare
// Workers, Deno, Bun, browsers). Re-exports only; nothing here imports from `node:`.
export { verifyPayload, hasVerifiedPayload, verifyEvent } from '../verify/verify-web.js';
export { signPayload } from '../verify/sign-web.js';
export * from '../verify/public.js';
export * from '../idempotency/public.js';
export { createWebhookHandler } from '../handler/create-web.js';
export type * from '../handler/types.js';
