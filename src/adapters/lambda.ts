import type { WebhookHandler, WebhookResponse } from '../handler/types.js';
import type { HeaderValue } from '../verify/headers.js';
import { checkHandler, endToEndHeaders } from './shared.js';

/** Default most bytes accepted in a body: 5 MiB (API Gateway itself caps payloads at 6 to 10 MB). */
const DEFAULT_LIMIT = 5 * 1024 * 1024;

/**
 * Settings for {@link createLambdaHandler}.
 *
 * @example
 * ```ts
 * createLambdaHandler(webhooks, { bodyLimit: 1024 * 1024 });
 * ```
 */
export interface LambdaHandlerOptions {
  /** Most body bytes (after base64 decoding); a larger body is answered 413. Default 5 MiB. */
  bodyLimit?: number;
}

/**
 * The fields the adapter reads from an API Gateway REST (v1), HTTP API (v2) or Lambda function URL event.
 *
 * @example
 * ```ts
 * const event: LambdaHttpEvent = { version: '2.0', requestContext: { http: { method: 'POST' } }, headers, body, isBase64Encoded: false };
 * ```
 */
export interface LambdaHttpEvent {
  readonly version?: string;
  /** v1 (REST API) and ALB. */
  readonly httpMethod?: string;
  /** v2 (HTTP API) and function URLs. */
  readonly requestContext?: { readonly http?: { readonly method?: string } };
  readonly headers?: Readonly<Record<string, HeaderValue>> | null;
  /** v1: every value of repeated headers. */
  readonly multiValueHeaders?: Readonly<Record<string, HeaderValue>> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

/**
 * The proxy result shape API Gateway (v1 and v2) and function URLs expect.
 *
 * @example
 * ```ts
 * const result: LambdaProxyResult = { statusCode: 200, headers: {}, body: '{"ok":true}', isBase64Encoded: false };
 * ```
 */
export interface LambdaProxyResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/**
 * An async Lambda handler.
 *
 * @example
 * ```ts
 * export const handler: LambdaWebhookHandler = createLambdaHandler(webhooks);
 * ```
 */
export type LambdaWebhookHandler = (event: LambdaHttpEvent) => Promise<LambdaProxyResult>;

/**
 * Turns a webhook handler into an AWS Lambda handler for API Gateway REST (v1), HTTP API (v2) and
 * function URLs. Base64-encoded bodies (`isBase64Encoded`) are decoded to the exact bytes before
 * verification. Keep the default in-memory store only for a single warm instance: use Redis or Postgres,
 * because Lambda runs many instances.
 *
 * @example
 * ```ts
 * import { createLambdaHandler } from 'allthings-webhooks/lambda';
 * export const handler = createLambdaHandler(createWebhookHandler({ secret, store: redisStore, on }));
 * ```
 */
export function createLambdaHandler(handler: WebhookHandler, options: LambdaHandlerOptions = {}): LambdaWebhookHandler {
  checkHandler(handler, 'createLambdaHandler');
  const limit = options.bodyLimit ?? DEFAULT_LIMIT;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) {
    throw new TypeError('allthings-webhooks: bodyLimit must be a whole number of bytes >= 1 (default 5 MiB).');
  }
  return async (event) => {
    if (event === null || typeof event !== 'object') {
      throw new TypeError('allthings-webhooks: the Lambda handler expects an API Gateway or function URL event.');
    }
    const method = event.requestContext?.http?.method ?? event.httpMethod;
    if (method !== undefined && method.toUpperCase() !== 'POST') return toResult(handler.reject('method_not_allowed'));
    const body = decodeBody(event);
    if (body.byteLength > limit) return toResult(handler.reject('payload_too_large'));
    return toResult(await handler.handle({ rawBody: body, headers: headersOf(event) }));
  };
}

/**
 * The request headers: every value from `multiValueHeaders` (v1 keeps repeated headers there), and from
 * `headers` each header that `multiValueHeaders` lacks. Reading one of the two alone made a signed delivery
 * with an empty or partial `multiValueHeaders` look unsigned: a setup ping, answered 200 and never processed.
 */
function headersOf(event: LambdaHttpEvent): Readonly<Record<string, HeaderValue>> {
  const multi = event.multiValueHeaders;
  const single = event.headers;
  if (multi === null || multi === undefined) return single ?? {};
  if (single === null || single === undefined) return multi;
  const merged: Record<string, HeaderValue> = Object.create(null) as Record<string, HeaderValue>;
  const held = new Set<string>();
  for (const [name, value] of Object.entries(multi)) {
    if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    merged[name] = value;
    held.add(name.toLowerCase());
  }
  for (const [name, value] of Object.entries(single)) if (!held.has(name.toLowerCase())) merged[name] = value;
  return merged;
}

function decodeBody(event: LambdaHttpEvent): Uint8Array {
  const body = event.body ?? '';
  return Buffer.from(body, event.isBase64Encoded === true ? 'base64' : 'utf8');
}

function toResult(response: WebhookResponse): LambdaProxyResult {
  return {
    statusCode: response.status,
    headers: endToEndHeaders(response.headers),
    body: response.body,
    isBase64Encoded: false,
  };
}
