import { hmacSha256 } from '../crypto/node.js';
import { toBodyBytes, toSecretList, type RawBody, type WebhookSecret } from './inputs.js';
import { readClock, SIGNATURE_HEADER, TIMESTAMP_HEADER, type Clock, type SignedContent, type TimestampUnit } from './options.js';

/** How to sign. All optional. */
export interface SignOptions {
  /** Signing time: epoch milliseconds, a `Date`, or a clock function. Default now. */
  timestamp?: Clock;
  /** Unit written to the timestamp header. Default `'ms'`, as the provider sends. */
  timestampUnit?: TimestampUnit;
  /** What is signed. Default `'timestamp+body'`. */
  signedContent?: SignedContent;
}

/** The two headers of a signed delivery. */
export interface SignedHeaders {
  'x-allthings-signature': string;
  'x-allthings-signature-timestamp': string;
}

/**
 * Signs a body the way the provider does and returns the headers to send with it: for tests, local tools
 * and senders. With several secrets, the signature header lists one signature per secret.
 *
 * @example
 * ```ts
 * const headers = signPayload(JSON.stringify({ event }), secret);
 * await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
 * ```
 */
export function signPayload(rawBody: RawBody, secret: WebhookSecret, options: SignOptions = {}): SignedHeaders {
  const body = toBodyBytes(rawBody);
  const secrets = toSecretList(secret);
  const ms = readClock(options.timestamp);
  const unit = options.timestampUnit ?? 'ms';
  if (unit !== 'ms' && unit !== 's') throw new TypeError(`allthings-webhooks: timestampUnit must be 'ms' or 's'.`);
  const timestamp = String(Math.floor(unit === 's' ? ms / 1000 : ms));
  const prefix = (options.signedContent ?? 'timestamp+body') === 'body' ? undefined : timestamp;
  const signatures = secrets.map((key) => hmacSha256(key, prefix, body).toString('hex'));
  return { [SIGNATURE_HEADER]: signatures.join(', '), [TIMESTAMP_HEADER]: timestamp };
}
