import { createHmac, timingSafeEqual } from 'node:crypto';
import type { BodyBytes } from '../verify/inputs.js';

/** HMAC-SHA256 of `prefix ++ body` with one key, over the exact bytes (a string body as UTF-8). */
export function hmacSha256(key: string | Uint8Array, prefix: string | undefined, body: BodyBytes): Buffer {
  const hmac = createHmac('sha256', key);
  if (prefix !== undefined) hmac.update(prefix, 'latin1');
  // A string goes to OpenSSL as UTF-8 without a JavaScript-side copy.
  if (typeof body === 'string') hmac.update(body, 'utf8');
  else hmac.update(body);
  return hmac.digest();
}

/** Constant-time comparison of a computed digest with each candidate; any equal one matches. */
export function matchesAny(digest: Uint8Array, candidates: readonly Uint8Array[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    // Candidates are validated to 32 bytes, so timingSafeEqual never sees a length difference.
    if (timingSafeEqual(digest, candidate)) matched = true;
  }
  return matched;
}
