import { toBodyBytes, toSecretList, type BodyBytes, type RawBody, type WebhookSecret } from './inputs.js';
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
export type SignedHeaders = {
  'x-allthings-signature': string;
  'x-allthings-signature-timestamp': string;
};

/** Everything a crypto backend needs to sign: checked inputs, the timestamp text and the signed prefix. */
export interface SigningPlan {
  readonly body: BodyBytes;
  readonly secrets: ReadonlyArray<string | Uint8Array>;
  readonly timestamp: string;
  /** The timestamp when it is signed, `undefined` for `signedContent: 'body'`. */
  readonly prefix: string | undefined;
}

/** Validates the inputs of a `signPayload` call (throwing `TypeError`s) independently of the crypto backend. */
export function planSignature(rawBody: RawBody, secret: WebhookSecret, options: SignOptions = {}): SigningPlan {
  const body = toBodyBytes(rawBody);
  const secrets = toSecretList(secret);
  const ms = readClock(options.timestamp);
  const unit = options.timestampUnit ?? 'ms';
  if (unit !== 'ms' && unit !== 's') throw new TypeError(`allthings-webhooks: timestampUnit must be 'ms' or 's'.`);
  const timestamp = String(Math.floor(unit === 's' ? ms / 1000 : ms));
  const prefix = (options.signedContent ?? 'timestamp+body') === 'body' ? undefined : timestamp;
  return { body, secrets, timestamp, prefix };
}

/** The headers for hex signatures (one per secret) and the timestamp text. */
export function signedHeaders(signatures: readonly string[], timestamp: string): SignedHeaders {
  return { [SIGNATURE_HEADER]: signatures.join(', '), [TIMESTAMP_HEADER]: timestamp };
}
