import type { Hmac } from 'node:crypto';
import { matchesAny, startHmac } from '../crypto/node.js';
import type { WebhookHeaders } from './headers.js';
import type { WebhookSecret } from './inputs.js';
import { resolveOptions, type VerifyOptions } from './options.js';
import { concludeDelivery, startDelivery, type VerificationResult } from './outcome.js';

/** A verification fed the body in chunks as it arrives; `finish` answers like `verifyPayload`. */
export interface StreamingVerification {
  /** Hashes the next chunk of the raw body (bytes exactly as received). */
  update(chunk: Uint8Array): void;
  /** The result, with freshness judged by the clock at this moment. Call once, after the last chunk. */
  finish(): VerificationResult;
}

/**
 * Starts verifying a delivery whose body is still arriving: the headers are checked and one HMAC per
 * secret is started at once, then every chunk is hashed as it comes in, so the time from the last byte to
 * the answer does not grow with the body's size. Same results as `verifyPayload` over the whole body.
 * Throws `TypeError` for programming errors; wire problems are answered by `finish`.
 */
export function startVerification(
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options?: VerifyOptions,
): StreamingVerification {
  const started = startDelivery(headers, secret, options);
  if (!('prepared' in started)) return { update: () => undefined, finish: () => started };
  const { secrets, prepared, prefix } = started;
  const hmacs: Hmac[] = secrets.map((key) => startHmac(key, prefix));
  let finished = false;
  return {
    update(chunk) {
      if (finished) throw new Error('allthings-webhooks: update() after finish().');
      for (const hmac of hmacs) hmac.update(chunk);
    },
    finish() {
      if (finished) throw new Error('allthings-webhooks: finish() called twice.');
      finished = true;
      let matched = false;
      for (const hmac of hmacs) if (matchesAny(hmac.digest(), prepared.digests)) matched = true;
      return concludeDelivery(prepared, matched, resolveOptions(options));
    },
  };
}
