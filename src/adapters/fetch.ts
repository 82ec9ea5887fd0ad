import { ByteAccumulator } from '../handler/bytes.js';
import type { AdapterRejectionReason, WebhookHandler, WebhookResponse } from '../handler/types.js';
import type { HeadersLike } from '../verify/headers.js';
import { checkHandler, endToEndHeaders } from './shared.js';

/** Default most bytes read from a request body: 5 MiB. */
const DEFAULT_LIMIT = 5 * 1024 * 1024;

/**
 * Settings for {@link createFetchHandler}.
 *
 * @example
 * ```ts
 * createFetchHandler(webhooks, { bodyLimit: 1024 * 1024 });
 * ```
 */
export interface FetchHandlerOptions {
  /** Most body bytes read; a larger body is answered 413 without reading further. Default 5 MiB. */
  bodyLimit?: number;
}

/**
 * The parts of a Fetch API `Request` the adapter uses (Hono's `c.req.raw`, Next.js, Workers, Bun, Deno).
 *
 * @example
 * ```ts
 * const request: FetchRequestLike = new Request(url, { method: 'POST', body });
 * ```
 */
export interface FetchRequestLike {
  readonly method: string;
  readonly headers: HeadersLike;
  readonly bodyUsed: boolean;
  readonly body: ReadableStream<Uint8Array> | null;
}

/**
 * A `(Request) => Promise<Response>` function.
 *
 * @example
 * ```ts
 * export const POST: FetchWebhookHandler = createFetchHandler(webhooks);
 * ```
 */
export type FetchWebhookHandler = (request: FetchRequestLike) => Promise<Response>;

/**
 * Turns a webhook handler into a Fetch API handler for Hono, Next.js route handlers, Cloudflare Workers,
 * Bun and Deno. A request whose body was already read (`bodyUsed`, e.g. after `c.req.json()`) gets a 500
 * `body_already_parsed` at once.
 *
 * @example
 * ```ts
 * import { createFetchHandler } from 'allthings-webhooks/fetch';
 * const receive = createFetchHandler(webhooks);
 * app.post('/webhooks/allthings', (c) => receive(c.req.raw)); // Hono
 * export const POST = receive;                                 // Next.js app/.../route.ts
 * ```
 */
export function createFetchHandler(handler: WebhookHandler, options: FetchHandlerOptions = {}): FetchWebhookHandler {
  checkHandler(handler, 'createFetchHandler');
  const limit = options.bodyLimit ?? DEFAULT_LIMIT;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) {
    throw new TypeError('allthings-webhooks: bodyLimit must be a whole number of bytes >= 1 (default 5 MiB).');
  }
  return async (request) => {
    if (request.method !== 'POST') return toResponse(handler.reject('method_not_allowed'));
    const read = await readBody(request, limit);
    if (!(read instanceof Uint8Array)) return toResponse(handler.reject(read));
    return toResponse(await handler.handle({ rawBody: read, headers: request.headers }));
  };
}

async function readBody(request: FetchRequestLike, limit: number): Promise<Uint8Array | AdapterRejectionReason> {
  // A locked body has a reader elsewhere (a middleware that peeked): it is not ours to read either.
  if (request.bodyUsed || request.body?.locked === true) return 'body_already_parsed';
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    request.body?.cancel().catch(() => undefined);
    return 'payload_too_large';
  }
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  // Copied into one array as they come: a Uint8Array kept per chunk cost ~200 bytes of heap per one-byte chunk
  // (a Node server handing its 'data' events to a ReadableStream makes one per chunk of a chunked request).
  const body = new ByteAccumulator();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        reader.cancel().catch(() => undefined);
        return 'payload_too_large';
      }
      body.push(value);
    }
  } catch {
    return 'request_aborted';
  }
  return body.view();
}

function toResponse(response: WebhookResponse): Response {
  return new Response(response.body, { status: response.status, headers: endToEndHeaders(response.headers) });
}
