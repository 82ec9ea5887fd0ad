// The verification names both the Node and the web entry export besides their functions (nothing here
// touches a crypto API).
export {
  WebhookVerificationError,
  isWebhookVerificationError,
  WEBHOOK_VERIFICATION_ERROR_CODE,
  type VerificationFailureReason,
  type WebhookErrorReason,
} from './errors.js';
export {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  DEFAULT_TOLERANCE_SECONDS,
  MAX_TOLERANCE_SECONDS,
  type VerifyOptions,
  type Clock,
  type SignedContent,
  type TimestampUnit,
} from './options.js';
export type { SignOptions, SignedHeaders } from './signing.js';
export type { VerificationResult, VerificationSuccess, VerificationFailure } from './outcome.js';
export type { WebhookHeaders, HeadersLike, HeaderValue } from './headers.js';
export type { RawBody, WebhookSecret, SecretKey } from './inputs.js';
