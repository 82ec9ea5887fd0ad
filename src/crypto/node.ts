import { createHmac, timingSafeEqual, type Hmac } from 'node:crypto';
import type { BodyBytes } from '../verify/inputs.js';

// createHmac encodes a string key to UTF-8 on every call; a receiver uses the same one or two secrets for
// every delivery, so their encoded bytes are kept (strings are immutable, so a hit is never stale). Byte
// keys are passed through as they are, since their contents can change.
const encodedKeys = new Map<string, Buffer>();
const ENCODED_KEYS_LIMIT = 16;

function keyBytes(key: string): Buffer {
  let bytes = encodedKeys.get(key);
  if (bytes === undefined) {
    if (encodedKeys.size >= ENCODED_KEYS_LIMIT) encodedKeys.clear();
    bytes = Buffer.from(key, 'utf8');
    encodedKeys.set(key, bytes);
  }
  return bytes;
}

/** An HMAC-SHA256 with one key, fed `prefix` first; the caller adds the body, at once or in chunks. */
export function startHmac(key: string | Uint8Array, prefix: string | undefined): Hmac {
  const hmac = createHmac('sha256', typeof key === 'string' ? keyBytes(key) : key);
  // No encoding argument: update() hashes a string as UTF-8 by default, without a JavaScript-side copy, and
  // skips the encoding checks. The prefix is a validated decimal timestamp, so its UTF-8 is its ASCII.
  if (prefix !== undefined) hmac.update(prefix);
  return hmac;
}

/** HMAC-SHA256 of `prefix ++ body` with one key, over the exact bytes (a string body as UTF-8). */
export function hmacSha256(key: string | Uint8Array, prefix: string | undefined, body: BodyBytes): Buffer {
  return startHmac(key, prefix).update(body).digest();
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
