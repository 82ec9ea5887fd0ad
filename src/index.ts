// `allthings-webhooks`: the Node entry (node:crypto). Re-exports only.
export { verifyPayload, hasVerifiedPayload, verifyEvent } from './verify/verify.js';
export { signPayload } from './verify/sign.js';
export * from './verify/public.js';
export * from './idempotency/public.js';
export { createWebhookHandler } from './handler/create.js';
export type * from './handler/types.js';
