import type { BodyBytes } from '../verify/inputs.js';

// The only module of the web entry that touches a crypto API. It uses `globalThis.crypto.subtle` and
// nothing from `node:`, so it runs in Cloudflare Workers, Deno, Bun, browsers and Node >= 19.

const encoder = new TextEncoder();
const HMAC_SHA256 = { name: 'HMAC', hash: 'SHA-256' } as const;

/**
 * Imported keys by secret content, most recently used last. Keyed by content (not by object identity) so
 * that a byte secret changed in place never hits a stale key, and a fresh view of the same bytes (an
 * `ArrayBuffer` wrapped anew on every call) still hits. Small: a receiver holds one or two secrets.
 */
const keyCache = new Map<string, Promise<CryptoKey>>();
const KEY_CACHE_LIMIT = 16;

function subtle(): SubtleCrypto {
  const found = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (found === undefined) {
    throw new TypeError(
      'allthings-webhooks/web: globalThis.crypto.subtle (Web Crypto) is not available here. On Node 18 import ' +
        "'allthings-webhooks' (node:crypto) instead; in a browser, Web Crypto needs a secure context (HTTPS).",
    );
  }
  return found;
}

function cacheKeyOf(secret: string | Uint8Array): string {
  if (typeof secret === 'string') return `s${secret}`;
  let text = 'b';
  // Chunked so that a long secret does not overflow the argument list.
  for (let i = 0; i < secret.length; i += 4096) {
    text += String.fromCharCode.apply(null, Array.from(secret.subarray(i, i + 4096)));
  }
  return text;
}

/** The HMAC-SHA256 key for a secret, imported once and cached. Reads the secret synchronously. */
export function hmacKey(secret: string | Uint8Array): Promise<CryptoKey> {
  const id = cacheKeyOf(secret);
  const cached = keyCache.get(id);
  if (cached !== undefined) {
    keyCache.delete(id);
    keyCache.set(id, cached);
    return cached;
  }
  // importKey copies the key bytes before it returns, so later changes to `secret` do not reach the key.
  const raw = typeof secret === 'string' ? encoder.encode(secret) : new Uint8Array(secret);
  const imported = subtle().importKey('raw', raw, HMAC_SHA256, false, ['sign']);
  keyCache.set(id, imported);
  if (keyCache.size > KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value as string);
  imported.catch(() => keyCache.delete(id));
  return imported;
}

/**
 * The signed content `prefix ++ body` as one fresh byte array, built synchronously: the caller's bytes are
 * copied before the first `await`, so changing them during verification changes nothing. A string body is
 * encoded once, together with the ASCII prefix, and never decoded.
 */
export function signedMessage(prefix: string | undefined, body: BodyBytes): Uint8Array<ArrayBuffer> {
  if (typeof body === 'string') return encoder.encode(prefix === undefined ? body : prefix + body);
  const offset = prefix === undefined ? 0 : prefix.length;
  const message = new Uint8Array(offset + body.byteLength);
  // The prefix is a validated decimal timestamp: ASCII, one byte per character.
  for (let i = 0; i < offset; i++) message[i] = (prefix as string).charCodeAt(i);
  message.set(body, offset);
  return message;
}

/** HMAC-SHA256 of `message` with one secret. */
export async function hmacSha256(secret: string | Uint8Array, message: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const key = await hmacKey(secret);
  return new Uint8Array(await subtle().sign('HMAC', key, message));
}

/**
 * True when any secret's HMAC of `message` equals any candidate digest. One HMAC per secret; each digest is
 * compared with every candidate in constant time.
 */
export async function matchesAny(
  secrets: ReadonlyArray<string | Uint8Array>,
  message: Uint8Array<ArrayBuffer>,
  candidates: readonly Uint8Array[],
): Promise<boolean> {
  for (const secret of secrets) {
    const digest = await hmacSha256(secret, message);
    let matched = false;
    for (const candidate of candidates) if (constantTimeEqual(digest, candidate)) matched = true;
    if (matched) return true;
  }
  return false;
}

/** Compares two byte arrays without an early exit; the time depends only on the length. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Lower-case hex, as the provider writes signatures. */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += HEX[bytes[i] as number];
  return hex;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
