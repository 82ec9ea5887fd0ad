// `allthings-webhooks/web`: the verification API on Web Crypto, for runtimes without node:crypto
// (Cloudflare Workers, Deno, Bun, browsers). Re-exports only; nothing here imports from `node:`.
export { verifyPayload, hasVerifiedPayload, verifyEvent } from '../verify/verify-web.js';
export { signPayload } from '../verify/sign-web.js';
export type { SignOptions, SignedHeaders } from '../verify/signing.js';
export {
  WebhookVerificationError,
  isWebhookVerificationError,
  WEBHOOK_VERIFICATION_ERROR_CODE,
  type VerificationFailureReason,
  type WebhookErrorReason,
} from '../verify/errors.js';
export {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  DEFAULT_TOLERANCE_SECONDS,
  type VerifyOptions,
  type Clock,
  type SignedContent,
  type TimestampUnit,
} from '../verify/options.js';
export type { VerificationResult, VerificationSuccess, VerificationFailure } from '../verify/outcome.js';
export type { WebhookHeaders, HeadersLike, HeaderValue } from '../verify/headers.js';
export type { RawBody, WebhookSecret, SecretKey } from '../verify/inputs.js';
export { createWebhookHandler } from '../handler/create-web.js';
export type * from '../handler/types.js';
export * from '../idempotency/public.js';
