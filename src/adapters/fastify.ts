import type { IncomingHttpHeaders } from 'node:http';
import type { WebhookHandler, WebhookResponse } from '../handler/types.js';
import { resolveBodyLimit } from './node-body.js';
import { checkHandler } from './shared.js';

/**
 * Default route the plugin registers.
 *
 * @example
 * ```ts
 * await app.register(fastifyWebhooks, { handler: webhooks }); // POST /webhooks/allthings
 * ```
 */
export const DEFAULT_FASTIFY_PATH = '/webhooks/allthings';

/**
 * Options for {@link fastifyWebhooks}, passed to `fastify.register`.
 *
 * @example
 * ```ts
 * const options: FastifyWebhookOptions = { handler: webhooks, path: '/webhooks/allthings' };
 * ```
 */
export interface FastifyWebhookOptions {
  /** The handler from `createWebhookHandler`. */
  handler: WebhookHandler;
  /** The route's path. Default `/webhooks/allthings`. */
  path?: string;
  /** Most body bytes read; a larger body is answered 413. Default 5 MiB. */
  bodyLimit?: number;
}

interface FastifyRequestLike {
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
}
interface FastifyReplyLike {
  code(statusCode: number): FastifyReplyLike;
  headers(values: { [name: string]: string }): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}
type Done = (error: Error | null, body?: unknown) => void;

/**
 * The parts of a Fastify instance the plugin uses (structural, so the library does not depend on Fastify).
 *
 * @example
 * ```ts
 * const instance: FastifyInstanceLike = Fastify();
 * ```
 */
export interface FastifyInstanceLike {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    contentType: string,
    options: { parseAs: 'buffer'; bodyLimit: number },
    parser: (request: unknown, body: Buffer, done: Done) => void,
  ): void;
  setErrorHandler(handler: (error: { statusCode?: number }, request: unknown, reply: FastifyReplyLike) => unknown): unknown;
  route(options: {
    method: 'POST';
    url: string;
    bodyLimit: number;
    handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>;
  }): unknown;
}

/**
 * A Fastify plugin that registers the webhook route with a raw-Buffer body parser scoped to it: the
 * plugin's encapsulated context replaces the JSON parser for this route only, so the rest of the app keeps
 * parsing JSON. Register it without `fastify-plugin`.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { fastifyWebhooks } from 'allthings-webhooks/fastify';
 *
 * const app = Fastify();
 * await app.register(fastifyWebhooks, { handler: webhooks, path: '/webhooks/allthings' });
 * ```
 */
export async function fastifyWebhooks(instance: FastifyInstanceLike, options: FastifyWebhookOptions): Promise<void> {
  checkHandler(options?.handler, 'fastifyWebhooks (option `handler`)');
  const { handler } = options;
  const path = options.path ?? DEFAULT_FASTIFY_PATH;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new TypeError("allthings-webhooks: fastifyWebhooks' path must start with '/', e.g. '/webhooks/allthings'.");
  }
  const bodyLimit = resolveBodyLimit(options.bodyLimit);
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
  // Fastify's own body errors (too large, bad content-length) get the library's short answer.
  instance.setErrorHandler((error, _request, reply) => {
    if (error.statusCode === 413) return send(reply, handler.reject('payload_too_large'));
    if (error.statusCode === 400) return send(reply, handler.reject('request_aborted'));
    return send(reply, { status: 500, headers: {}, body: '', outcome: 'handler_failed' });
  });
  instance.route({
    method: 'POST',
    url: path,
    bodyLimit,
    handler: async (request, reply) => {
      const rawBody = request.body instanceof Uint8Array || typeof request.body === 'string' ? request.body : new Uint8Array(0);
      return send(reply, await handler.handle({ rawBody, headers: request.headers }));
    },
  });
}

function send(reply: FastifyReplyLike, response: WebhookResponse): FastifyReplyLike {
  return reply.code(response.status).headers({ ...response.headers }).send(response.body);
}
