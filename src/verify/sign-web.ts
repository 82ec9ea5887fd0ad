import { hmacSha256, signedMessage, toHex } from '../crypto/web.js';
import type { RawBody, WebhookSecret } from './inputs.js';
import { planSignature, signedHeaders, type SignedHeaders, type SignOptions } from './signing.js';

/**
 * Signs a body with Web Crypto the way the provider does and resolves with the headers to send: for tests,
 * local tools and senders on edge runtimes. Same options and output as the Node entry's `signPayload`.
 *
 * @example
 * ```ts
 * import { signPayload } from 'allthings-webhooks/web';
 *
 * const body = JSON.stringify({ event });
 * const headers = await signPayload(body, secret);
 * await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
 * ```
 */
export async function signPayload(
  rawBody: RawBody,
  secret: WebhookSecret,
  options: SignOptions = {},
): Promise<SignedHeaders> {
  const { body, secrets, timestamp, prefix } = planSignature(rawBody, secret, options);
  const message = signedMessage(prefix, body);
  const digests = await Promise.all(secrets.map((key) => hmacSha256(key, message)));
  return signedHeaders(digests.map(toHex), timestamp);
}
