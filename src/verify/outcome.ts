import type { VerificationFailureReason } from './errors.js';
import { readHeader, type WebhookHeaders } from './headers.js';
import { toSecretList, type WebhookSecret } from './inputs.js';
import { resolveOptions, type ResolvedOptions, type VerifyOptions } from './options.js';
import { parseSignatures } from './signature.js';
import { checkFreshness, parseTimestamp } from './timestamp.js';

/** A verified delivery. `timestamp` is the signing time in epoch milliseconds, whatever the header's unit. */
export interface VerificationSuccess {
  readonly ok: true;
  readonly timestamp: number;
}

/** A rejected delivery: one stable `reason` and a `message` naming the likely cause (no secrets, no payload). */
export interface VerificationFailure {
  readonly ok: false;
  readonly reason: VerificationFailureReason;
  readonly message: string;
}

/** The result of `verifyPayload`. */
export type VerificationResult = VerificationSuccess | VerificationFailure;

/** Everything the header checks found, ready for the crypto backend to compare. */
export interface PreparedDelivery {
  readonly timestampText: string;
  readonly timestampMs: number;
  readonly digests: Uint8Array[];
  readonly anyMalformed: boolean;
}

/**
 * Reads and checks the headers in the SPEC's order of precedence (missing, then malformed) before any
 * hashing, so that garbage costs no HMAC.
 */
export function prepareDelivery(
  headers: WebhookHeaders,
  options: ResolvedOptions,
): PreparedDelivery | VerificationFailure {
  const signatures = parseSignatures(readHeader(headers, options.signatureHeader));
  if (signatures === 'missing_signature') return fail('missing_signature', options);
  const timestamp = parseTimestamp(readHeader(headers, options.timestampHeader), options.unit);
  if (typeof timestamp === 'string') return fail(timestamp, options);
  if (signatures.digests.length === 0) return fail('malformed_signature', options);
  return {
    timestampText: timestamp.text,
    timestampMs: timestamp.ms,
    digests: signatures.digests,
    anyMalformed: signatures.anyMalformed,
  };
}

/** A delivery ready for a crypto backend: its checked secrets, options, parsed headers and signed prefix. */
export interface StartedDelivery {
  readonly secrets: ReadonlyArray<string | Uint8Array>;
  readonly resolved: ResolvedOptions;
  readonly prepared: PreparedDelivery;
  /** The timestamp text to hash before the body, or `undefined` in body-only mode. */
  readonly prefix: string | undefined;
}

/**
 * The backend-neutral start of every verification: checks the secret(s) and options (throwing `TypeError`
 * for programming errors), then the headers (answering a failure for wire problems).
 */
export function startDelivery(
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options: VerifyOptions | undefined,
): StartedDelivery | VerificationFailure {
  const secrets = toSecretList(secret);
  const resolved = resolveOptions(options);
  const prepared = prepareDelivery(headers, resolved);
  if (!('digests' in prepared)) return prepared;
  return { secrets, resolved, prepared, prefix: resolved.signsTimestamp ? prepared.timestampText : undefined };
}

/** Turns the comparison's answer into the result: mismatch first, then freshness. */
export function concludeDelivery(
  prepared: PreparedDelivery,
  matched: boolean,
  options: ResolvedOptions,
): VerificationResult {
  if (!matched) return fail(prepared.anyMalformed ? 'malformed_signature' : 'signature_mismatch', options);
  const stale = checkFreshness(prepared.timestampMs, options);
  if (stale !== undefined) return fail(stale, options, prepared.timestampMs);
  return { ok: true, timestamp: prepared.timestampMs };
}

function fail(
  reason: VerificationFailureReason,
  options: ResolvedOptions,
  timestampMs?: number,
): VerificationFailure {
  return { ok: false, reason, message: explain(reason, options, timestampMs) };
}

/** Messages name the problem and its likely cause; they never echo header values, secrets or the body. */
function explain(reason: VerificationFailureReason, o: ResolvedOptions, timestampMs?: number): string {
  switch (reason) {
    case 'missing_signature':
      return `The ${o.signatureHeader} header is missing or empty. The provider sends unsigned requests only as setup pings; otherwise a proxy may be stripping the header.`;
    case 'missing_timestamp':
      return `The ${o.timestampHeader} header is missing or empty; a proxy may be stripping it.`;
    case 'malformed_timestamp':
      return `The ${o.timestampHeader} header is not one plain decimal integer of epoch ${unitName(o)} (no sign, fraction, exponent or hex), or it was sent twice with different values.`;
    case 'malformed_signature':
      return `The ${o.signatureHeader} header has an entry that is not 64 hex digits and no entry matches. Expected hex HMAC-SHA256, several separated by commas; prefixes such as 'sha256=' and base64 are not accepted.`;
    case 'signature_mismatch':
      return o.signsTimestamp
        ? 'No signature matches the configured secret(s). Likely causes: the raw body was changed before verification (a JSON body parser re-serialized it, or a proxy re-encoded it; pass the exact bytes received), the wrong secret (or one rotated out), or a sender that signs the body alone (see signedContent).'
        : "No signature matches the configured secret(s) over the body alone. Likely causes: the raw body was changed before verification (a JSON body parser or proxy), or the wrong secret; or the sender signs timestamp + body (the default signedContent).";
    case 'timestamp_too_old':
    case 'timestamp_in_future':
      return windowMessage(reason, o, timestampMs ?? Number.NaN);
  }
}

function windowMessage(
  reason: 'timestamp_too_old' | 'timestamp_in_future',
  o: ResolvedOptions,
  timestampMs: number,
): string {
  const offsetSeconds = Math.abs(o.nowMs - timestampMs) / 1000;
  const where = reason === 'timestamp_too_old' ? 'behind' : 'ahead of';
  let hint: string;
  if (o.unit === 'ms' && Math.abs(o.nowMs - timestampMs * 1000) <= o.toleranceMs) {
    hint = "The timestamp reads as seconds: set timestampUnit: 's' if the sender signs with seconds.";
  } else if (o.unit === 's' && Math.abs(o.nowMs - timestampMs / 1000) <= o.toleranceMs) {
    hint = "The timestamp reads as milliseconds: remove timestampUnit: 's' (the provider sends milliseconds).";
  } else if (reason === 'timestamp_too_old') {
    hint = 'A replay of an old delivery, a delivery that waited too long in a queue, or clock skew (check NTP on the receiver).';
  } else {
    hint = 'Clock skew between the sender and the receiver (check NTP on the receiver).';
  }
  return `The signature matches, but the timestamp is ${formatSeconds(offsetSeconds)} s ${where} the receiver's clock, outside the ${o.toleranceSeconds} s tolerance (timestamp unit: ${o.unit}). ${hint}`;
}

function unitName(o: ResolvedOptions): string {
  return o.unit === 's' ? 'seconds' : 'milliseconds';
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'an unbounded number of';
  return seconds >= 100 ? Math.round(seconds).toString() : seconds.toFixed(3).replace(/\.?0+$/, '');
}
