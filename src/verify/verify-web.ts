import { matchesAny, signedMessage } from '../crypto/web.js';
import { WebhookVerificationError } from './errors.js';
import type { WebhookHeaders } from './headers.js';
import { toBodyBytes, type BodyBytes, type RawBody, type WebhookSecret } from './inputs.js';
import { parseJsonBody } from './json.js';
import { checkTolerance, type VerifyOptions } from './options.js';
import { concludeDelivery, startDelivery, type VerificationResult } from './outcome.js';

// The Web Crypto twin of verify.ts: the same checks (prepareDelivery / concludeDelivery), the same options
// and results, but asynchronous because Web Crypto is. Every input is read and copied before the first
// `await`, so a caller that changes the body bytes while verification runs changes nothing.

interface CheckedDelivery {
  readonly result: VerificationResult;
  /** The body as verified: a string, or the copy that was hashed (never the caller's array). */
  readonly body: BodyBytes;
}

async function check(
  rawBody: RawBody,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options: VerifyOptions | undefined,
): Promise<CheckedDelivery> {
  const body = toBodyBytes(rawBody);
  const started = startDelivery(headers, secret, options);
  if (!('prepared' in started)) return { result: started, body };
  const { resolved, prepared, prefix } = started;
  // Byte secrets are copied too: the second key is imported after the first await. `new Uint8Array(key)`
  // copies a Buffer as well (`Buffer#slice` would share its memory).
  const secrets = started.secrets.map((key) => (typeof key === 'string' ? key : new Uint8Array(key)));
  const message = signedMessage(prefix, body);
  const matched = await matchesAny(secrets, message, prepared.digests);
  const verifiedBody = typeof body === 'string' ? body : message.subarray(prefix === undefined ? 0 : prefix.length);
  return { result: concludeDelivery(prepared, matched, resolved), body: verifiedBody };
}

/**
 * Verifies a delivery with Web Crypto: signature (any secret, any listed signature, constant time) and
 * freshness. Same options and results as the Node entry's `verifyPayload`, as a Promise. Resolves with a
 * failure for what arrives on the wire; rejects with a `TypeError` for programming errors (no secret, a
 * parsed object instead of the raw body, a bad option).
 *
 * @example
 * ```ts
 * import { verifyPayload } from 'allthings-webhooks/web';
 *
 * const rawBody = new Uint8Array(await request.arrayBuffer());
 * const result = await verifyPayload(rawBody, request.headers, env.ALLTHINGS_WEBHOOK_SECRET);
 * if (!result.ok) return new Response(result.reason, { status: 401 });
 * ```
 */
export async function verifyPayload(
  rawBody: RawBody,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options?: VerifyOptions,
): Promise<VerificationResult> {
  return (await check(rawBody, headers, secret, options)).result;
}

/**
 * The design card's yes/no check on Web Crypto: resolves true when the delivery is authentic and within
 * `toleranceSeconds` (default 300) of now.
 *
 * @example
 * ```ts
 * import { hasVerifiedPayload } from 'allthings-webhooks/web';
 *
 * if (!(await hasVerifiedPayload(await request.text(), request.headers, secret))) {
 *   return new Response(null, { status: 401 });
 * }
 * ```
 */
export async function hasVerifiedPayload(
  rawBody: RawBody,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  toleranceSeconds = 300,
): Promise<boolean> {
  checkTolerance(toleranceSeconds);
  return (await check(rawBody, headers, secret, { toleranceSeconds })).result.ok;
}

/**
 * Verifies with Web Crypto, then parses the body as JSON. Rejects with {@link WebhookVerificationError}
 * (a stable `reason`: the verification reasons plus `invalid_json`). The JSON parsed is the exact copy that
 * was verified. The type parameter is not checked at run time.
 *
 * @example
 * ```ts
 * import { verifyEvent } from 'allthings-webhooks/web';
 *
 * const { event } = await verifyEvent<{ event: { id: string; name: string } }>(
 *   await request.arrayBuffer(), request.headers, env.ALLTHINGS_WEBHOOK_SECRET,
 * );
 * ```
 */
export async function verifyEvent<T = unknown>(
  rawBody: RawBody,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options?: VerifyOptions,
): Promise<T> {
  const { result, body } = await check(rawBody, headers, secret, options);
  if (!result.ok) throw new WebhookVerificationError(result.reason, result.message);
  return parseJsonBody<T>(body);
}
