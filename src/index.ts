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
export { processOnce, DEFAULT_LEASE_MS, DEFAULT_RETENTION_MS } from './idempotency/process-once.js';
export type { ProcessOnceOptions, ProcessOnceResult, WorkContext } from './idempotency/process-once.js';
export { StoreUnavailableError, STORE_UNAVAILABLE_ERROR_CODE } from './idempotency/errors.js';
export { MemorySeenEventStore, type MemoryStoreOptions } from './idempotency/memory.js';
export type { SeenEventStore, ClaimResult, AppliedOrderStore } from './idempotency/store.js';
export { createWebhookHandler } from './handler/create.js';
export type {
  EventMap,
  WebhookEvent,
  HandlerContext,
  EventHandler,
  EventHandlers,
  PayloadVerifier,
  StaleGuardOptions,
  AcceptedOutcome,
  RejectionReason,
  AdapterRejectionReason,
  WebhookResponse,
  WebhookRequest,
  ProcessedInfo,
  DuplicateInfo,
  IgnoredInfo,
  StaleInfo,
  RejectedInfo,
  FailedInfo,
  WebhookHooks,
  WebhookHandlerOptions,
  WebhookHandler,
} from './handler/types.js';
