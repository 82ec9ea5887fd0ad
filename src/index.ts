export { verifyPayload, hasVerifiedPayload, verifyEvent } from './verify/verify.js';
export { signPayload, type SignOptions, type SignedHeaders } from './verify/sign.js';
export {
  WebhookVerificationError,
  isWebhookVerificationError,
  WEBHOOK_VERIFICATION_ERROR_CODE,
  type VerificationFailureReason,
  type WebhookErrorReason,
} from './verify/errors.js';
export {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  DEFAULT_TOLERANCE_SECONDS,
  type VerifyOptions,
  type Clock,
  type SignedContent,
  type TimestampUnit,
} from './verify/options.js';
export type { VerificationResult, VerificationSuccess, VerificationFailure } from './verify/outcome.js';
export type { WebhookHeaders, HeadersLike, HeaderValue } from './verify/headers.js';
export type { RawBody, WebhookSecret, SecretKey } from './verify/inputs.js';
export * from './idempotency/public.js';
export { createWebhookHandler } from './handler/create.js';
export type * from './handler/types.js';
