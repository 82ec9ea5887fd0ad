import { hmacSha256 } from '../crypto/node.js';
import type { RawBody, WebhookSecret } from './inputs.js';
import { planSignature, signedHeaders, type SignedHeaders, type SignOptions } from './signing.js';

export type { SignOptions, SignedHeaders };

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
  const { body, secrets, timestamp, prefix } = planSignature(rawBody, secret, options);
  return signedHeaders(
    secrets.map((key) => hmacSha256(key, prefix, body).toString('hex')),
    timestamp,
  );
}
