import { hmacSha256, matchesAny } from '../crypto/node.js';
import { WebhookVerificationError } from './errors.js';
import type { WebhookHeaders } from './headers.js';
import { toBodyBytes, type RawBody, type WebhookSecret } from './inputs.js';
import { parseJsonBody } from './json.js';
import { checkTolerance, type VerifyOptions } from './options.js';
import { concludeDelivery, startDelivery, type VerificationResult } from './outcome.js';

// Re-exported for modules that imported it from here before it moved to the backend-neutral json.ts.
export { parseJsonBody };

/**
 * Verifies a delivery: signature (any secret, any listed signature, constant time) and freshness.
 * Never throws for what arrives on the wire; throws `TypeError` for programming errors
 * (no secret, a parsed object instead of the raw body, a bad option).
 *
 * @example
 * ```ts
 * const result = verifyPayload(rawBody, req.headers, process.env.ALLTHINGS_WEBHOOK_SECRET!);
 * if (!result.ok) return res.writeHead(401).end(result.reason);
 * ```
 */
export function verifyPayload(
  rawBody: RawBody,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options?: VerifyOptions,
): VerificationResult {
  const body = toBodyBytes(rawBody);
  const started = startDelivery(headers, secret, options);
  if (!('prepared' in started)) return started;
  const { secrets, resolved, prepared, prefix } = started;
  let matched = false;
  for (const key of secrets) {
    if (matchesAny(hmacSha256(key, prefix, body), prepared.digests)) {
      matched = true;
      break;
    }
  }
  return concludeDelivery(prepared, matched, resolved);
}

/**
 * The design card's yes/no check: true when the delivery is authentic and within `toleranceSeconds`
 * (default 300) of now. Never throws for what arrives on the wire.
 *
 * @example
 * ```ts
 * if (!hasVerifiedPayload(req.body, req.headers, secret)) return res.sendStatus(401);
 * ```
 */
export function hasVerifiedPayload(
  rawBody: RawBody,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  toleranceSeconds = 300,
): boolean {
  checkTolerance(toleranceSeconds);
  return verifyPayload(rawBody, headers, secret, { toleranceSeconds }).ok;
}

/**
 * Verifies, then parses the body as JSON. Throws {@link WebhookVerificationError} with a stable `reason`
 * (the verification reasons plus `invalid_json`). The type parameter is not checked at run time.
 *
 * @example
 * ```ts
 * const { event } = verifyEvent<{ event: { id: string; name: string } }>(rawBody, req.headers, secret);
 * ```
 */
export function verifyEvent<T = unknown>(
  rawBody: RawBody,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options?: VerifyOptions,
): T {
  const body = toBodyBytes(rawBody);
  const result = verifyPayload(body, headers, secret, options);
  if (!result.ok) throw new WebhookVerificationError(result.reason, result.message);
  return parseJsonBody<T>(body);
}
