import type { WebhookHeaders } from './headers.js';

/** Lower-case name of the header that carries the signatures. */
export const SIGNATURE_HEADER = 'x-allthings-signature';
/** Lower-case name of the header that carries the signing time. */
export const TIMESTAMP_HEADER = 'x-allthings-signature-timestamp';
/** Default replay window, both ways, in seconds. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** What the signature covers. `'body'` exists for the provider's published example; it is weaker. */
export type SignedContent = 'timestamp+body' | 'body';
/** Unit of the timestamp header. Configured, never guessed. */
export type TimestampUnit = 'ms' | 's';
/** A clock reading: epoch milliseconds, a `Date`, or a function returning either. */
export type Clock = number | Date | (() => number | Date);

/** Receiver settings for verification. All optional. */
export interface VerifyOptions {
  /** Replay window in seconds, applied both ways, edges inclusive. Default 300. */
  toleranceSeconds?: number;
  /** The receiver's clock; inject it in tests. Default `Date.now()`. */
  now?: Clock;
  /** Unit of the timestamp header. Default `'ms'`. */
  timestampUnit?: TimestampUnit;
  /**
   * `'timestamp+body'` (default) signs the timestamp followed by the body. `'body'` signs the body
   * alone, as the provider's published example does; the timestamp is then not authenticated.
   */
  signedContent?: SignedContent;
  /** Header carrying the signatures. Default `x-allthings-signature`. */
  signatureHeader?: string;
  /** Header carrying the timestamp. Default `x-allthings-signature-timestamp`. */
  timestampHeader?: string;
}

/** Options after validation, with defaults filled in. */
export interface ResolvedOptions {
  readonly toleranceMs: number;
  readonly toleranceSeconds: number;
  readonly nowMs: number;
  readonly unit: TimestampUnit;
  readonly signsTimestamp: boolean;
  readonly signatureHeader: string;
  readonly timestampHeader: string;
}

export type { WebhookHeaders };

const NO_OPTIONS: VerifyOptions = Object.freeze({});

/** Validates options (throwing `TypeError` for programming errors) and fills in defaults. */
export function resolveOptions(options: VerifyOptions | undefined): ResolvedOptions {
  const o = options ?? NO_OPTIONS;
  const toleranceSeconds = o.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  checkTolerance(toleranceSeconds);
  const unit = o.timestampUnit ?? 'ms';
  if (unit !== 'ms' && unit !== 's') {
    throw new TypeError(
      `allthings-webhooks: timestampUnit must be 'ms' (the provider's default) or 's'; got ${JSON.stringify(unit)}.`,
    );
  }
  const signedContent = o.signedContent ?? 'timestamp+body';
  if (signedContent !== 'timestamp+body' && signedContent !== 'body') {
    throw new TypeError(
      `allthings-webhooks: signedContent must be 'timestamp+body' (default) or 'body'; got ${JSON.stringify(signedContent)}.`,
    );
  }
  return {
    toleranceMs: toleranceSeconds * 1000,
    toleranceSeconds,
    nowMs: readClock(o.now),
    unit,
    signsTimestamp: signedContent === 'timestamp+body',
    signatureHeader: headerName(o.signatureHeader, SIGNATURE_HEADER, 'signatureHeader'),
    timestampHeader: headerName(o.timestampHeader, TIMESTAMP_HEADER, 'timestampHeader'),
  };
}

/** Throws `TypeError` unless `value` is a usable tolerance in seconds. */
export function checkTolerance(value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(
      `allthings-webhooks: toleranceSeconds must be a finite number of seconds >= 0 (default 300); got ${describe(value)}.`,
    );
  }
}

/** Reads a clock option as epoch milliseconds. */
export function readClock(now: Clock | undefined): number {
  const value = typeof now === 'function' ? now() : now;
  if (value === undefined) return Date.now();
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new TypeError(
      `allthings-webhooks: now must be epoch milliseconds, a valid Date, or a function returning one; got ${describe(value)}.`,
    );
  }
  return ms;
}

function headerName(value: string | undefined, fallback: string, option: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value)) {
    throw new TypeError(`allthings-webhooks: ${option} must be an HTTP header name; got ${describe(value)}.`);
  }
  return value.toLowerCase();
}

/** Describes a value's type for an error message without echoing its content. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `a string of length ${value.length}`;
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'no prototype'})`;
  return typeof value;
}
