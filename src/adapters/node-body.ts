import type { IncomingMessage } from 'node:http';
import { ByteAccumulator } from '../handler/bytes.js';

/**
 * Default most bytes read from a request body: 5 MiB.
 *
 * @example
 * ```ts
 * createNodeListener(webhooks, { bodyLimit: DEFAULT_BODY_LIMIT / 5 });
 * ```
 */
export const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024;

/** The outcome of reading a body from a node:http request. */
export type BodyRead =
  | { readonly ok: true; readonly body: Uint8Array | string; readonly streamed?: false }
  /** Every chunk went to `onChunk` (the handler's sink, which copies them): no body is kept here. */
  | { readonly ok: true; readonly streamed: true }
  | { readonly ok: false; readonly reason: 'payload_too_large' | 'body_already_parsed' | 'request_aborted' };

/** A node:http request as Express, Connect and body parsers leave it. */
export type NodeRequest = IncomingMessage & { rawBody?: unknown; body?: unknown; _body?: unknown };

/** Validates a `bodyLimit` option, throwing `TypeError` with the fix. */
export function resolveBodyLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_BODY_LIMIT;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError('allthings-webhooks: bodyLimit must be a whole number of bytes >= 1 (default 5 MiB).');
  }
  return value;
}

/** True for bytes or text a parser may have kept (`req.rawBody`, `express.raw()`'s `req.body`). */
export function isRawBody(value: unknown): value is Uint8Array | string {
  return typeof value === 'string' || value instanceof Uint8Array;
}

/** Bytes in a kept raw body (a string counts as its UTF-8 length). */
export function byteLength(body: Uint8Array | string): number {
  return typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
}

/**
 * Reads the body of a node:http request as Buffers, concatenated once at the end (so a character split
 * across chunks is never decoded half). Uses a raw body kept by an earlier parser; answers
 * `body_already_parsed` at once, instead of waiting forever, when a parser consumed the stream without
 * keeping it; stops reading as soon as the limit is passed. With `onChunk`, every chunk read from the
 * stream goes there instead of being kept (the result says `streamed: true`), so the caller can hash while
 * the body arrives.
 */
export function readNodeBody(req: NodeRequest, limit: number, kept?: readonly unknown[]): Promise<Exclude<BodyRead, { streamed: true }>>;
export function readNodeBody(
  req: NodeRequest,
  limit: number,
  kept: readonly unknown[],
  onChunk: (chunk: Buffer) => void,
): Promise<BodyRead>;
export function readNodeBody(
  req: NodeRequest,
  limit: number,
  kept: readonly unknown[] = [],
  onChunk?: (chunk: Buffer) => void,
): Promise<BodyRead> {
  for (const candidate of [req.rawBody, ...kept]) {
    if (isRawBody(candidate)) return Promise.resolve(withinLimit(candidate, limit));
  }
  if (req.readableEnded || req._body === true || req.destroyed) {
    return Promise.resolve(isRawBody(req.body) ? withinLimit(req.body, limit) : fail('body_already_parsed'));
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(fail('payload_too_large'));
  return readStream(req, limit, onChunk);
}

function readStream(req: NodeRequest, limit: number, onChunk?: (chunk: Buffer) => void): Promise<BodyRead> {
  return new Promise((resolve) => {
    // Copied into one array as they come: a Buffer per chunk kept ~200 bytes of heap per one-byte chunk.
    const body = new ByteAccumulator();
    let total = 0;
    const finish = (result: BodyRead) => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onAbort);
      req.removeListener('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer | string) => {
      // A string when an earlier middleware called req.setEncoding(): encoded back with that same encoding
      // (latin1, hex and base64 give back the bytes received, 'utf8' too for a UTF-8 body; 'ascii' and
      // 'utf16le' lose bytes, and the signature then fails).
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, encodingOf(req)) : chunk;
      total += buffer.byteLength;
      if (total > limit) {
        // Stop reading: the rest of the body stays unread and the connection is closed after the answer.
        req.pause();
        finish(fail('payload_too_large'));
        return;
      }
      if (onChunk) onChunk(buffer);
      else body.push(buffer);
    };
    const onEnd = () => finish(onChunk ? { ok: true, streamed: true } : { ok: true, body: body.view() });
    const onAbort = () => finish(fail('request_aborted'));
    const onClose = () => {
      if (!req.readableEnded) onAbort();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
    // An explicitly paused stream does not resume when a data listener is added.
    req.resume();
  });
}

function encodingOf(req: NodeRequest): BufferEncoding {
  const encoding = req.readableEncoding;
  return encoding !== null && Buffer.isEncoding(encoding) ? encoding : 'utf8';
}

function withinLimit(body: Uint8Array | string, limit: number): BodyRead {
  return byteLength(body) > limit ? fail('payload_too_large') : { ok: true, body };
}

function fail(reason: 'payload_too_large' | 'body_already_parsed' | 'request_aborted'): BodyRead {
  return { ok: false, reason };
}
