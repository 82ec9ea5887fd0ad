/** Every verification failure reason, in the SPEC's order of precedence (internal: the type is public). */
export const VERIFICATION_FAILURE_REASONS = [
  'missing_signature',
  'missing_timestamp',
  'malformed_signature',
  'malformed_timestamp',
  'signature_mismatch',
  'timestamp_too_old',
  'timestamp_in_future',
] as const;

/** Why a delivery failed verification. Stable strings: safe to `switch` on, log and count. */
export type VerificationFailureReason = (typeof VERIFICATION_FAILURE_REASONS)[number];

/** Every reason `verifyEvent` can throw with: the verification reasons plus `invalid_json`. */
export type WebhookErrorReason = VerificationFailureReason | 'invalid_json';

/** The value of `code` on every {@link WebhookVerificationError}, for checks that cross module copies. */
export const WEBHOOK_VERIFICATION_ERROR_CODE = 'ERR_ALLTHINGS_WEBHOOK_VERIFICATION';

/**
 * Thrown by `verifyEvent` when a delivery is not authentic, not fresh or not JSON. `reason` narrows:
 *
 * @example
 * ```ts
 * try {
 *   const event = verifyEvent(rawBody, req.headers, secret);
 * } catch (err) {
 *   if (err instanceof WebhookVerificationError) {
 *     switch (err.reason) {
 *       case 'timestamp_too_old': // ...
 *     }
 *   }
 * }
 * ```
 */
export class WebhookVerificationError<R extends WebhookErrorReason = WebhookErrorReason> extends Error {
  override readonly name = 'WebhookVerificationError';
  /** Always {@link WEBHOOK_VERIFICATION_ERROR_CODE}. */
  readonly code = WEBHOOK_VERIFICATION_ERROR_CODE;
  /** The stable failure reason. */
  readonly reason: R;

  constructor(reason: R, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * True for a {@link WebhookVerificationError}, also one thrown by another copy of this library
 * (ESM and CommonJS builds loaded side by side).
 *
 * @example
 * ```ts
 * if (isWebhookVerificationError(err)) metrics.increment(err.reason);
 * ```
 */
export function isWebhookVerificationError(value: unknown): value is WebhookVerificationError {
  return (
    value instanceof WebhookVerificationError ||
    (value instanceof Error && (value as { code?: unknown }).code === WEBHOOK_VERIFICATION_ERROR_CODE)
  );
}
