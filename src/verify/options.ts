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

// No prototype: a polluted Object.prototype must not reach the defaults either.
const NO_OPTIONS: VerifyOptions = Object.freeze(Object.create(null) as VerifyOptions);

/** Validates options (throwing `TypeError` for programming errors) and fills in defaults. */
export function resolveOptions(options: VerifyOptions | undefined): ResolvedOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(
      `allthings-webhooks: options must be an object such as { toleranceSeconds: 60 }; got ${describe(options)}.`,
    );
  }
  // Own properties only: a polluted Object.prototype must not be able to widen the window or switch the
  // signed content.
  const o = options === undefined ? NO_OPTIONS : ownOptions(options);
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

const OPTION_KEYS = [
  'toleranceSeconds',
  'now',
  'timestampUnit',
  'signedContent',
  'signatureHeader',
  'timestampHeader',
] as const;

function ownOptions(options: VerifyOptions): VerifyOptions {
  const has = Object.prototype.hasOwnProperty;
  // Fast path: a literal with only own keys (the usual case) is read as it is.
  let inherited = false;
  for (const key of OPTION_KEYS) {
    if (!has.call(options, key) && (options as Record<string, unknown>)[key] !== undefined) inherited = true;
  }
  if (!inherited) return options;
  const own: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of OPTION_KEYS) if (has.call(options, key)) own[key] = (options as Record<string, unknown>)[key];
  return own as VerifyOptions;
}

/** The widest window accepted: 7 days, the provider's retry period. Wider windows are not replay protection. */
export const MAX_TOLERANCE_SECONDS = 7 * 24 * 60 * 60;

/** Throws `TypeError` unless `value` is a usable tolerance in seconds. */
export function checkTolerance(value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TOLERANCE_SECONDS) {
    throw new TypeError(
      `allthings-webhooks: toleranceSeconds must be a number of seconds from 0 to ${MAX_TOLERANCE_SECONDS} (7 days; default 300); got ${describeSetting(value)}.`,
    );
  }
}

/** Reads a clock option as epoch milliseconds. */
export function readClock(now: Clock | undefined): number {
  if (now === undefined) return Date.now();
  const value = typeof now === 'function' ? now() : now;
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new TypeError(
      `allthings-webhooks: now must be epoch milliseconds, a valid Date, or a function returning one; got ${describeSetting(value)}.`,
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

/** Describes a configuration value (never a secret or a body): numbers are shown as they are. */
function describeSetting(value: unknown): string {
  return typeof value === 'number' ? String(value) : describe(value);
}

/** Describes a value's type for an error message without echoing its content. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string of length ${value.length}`;
  if (typeof value === 'object') {
    // The constructor is read from the prototype, never from the object itself: a parsed body's own
    // `constructor` property is sender-controlled text.
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === null) return 'an object with no prototype';
    if (proto === Object.prototype) return 'a plain object (a parsed JSON body?)';
    const ctor = Object.prototype.hasOwnProperty.call(proto, 'constructor')
      ? (proto as { constructor?: { name?: unknown } }).constructor
      : undefined;
    return typeof ctor?.name === 'string' && ctor.name !== '' ? `an object of class ${ctor.name}` : 'an object';
  }
  return `a ${typeof value}`;
}
