import type { IncomingMessage } from 'node:http';
import type { WebhookHandler, WebhookResponse } from '../handler/types.js';
import { readNodeBody, resolveBodyLimit } from './node-body.js';
import { checkHandler } from './shared.js';

/**
 * Settings for {@link createKoaMiddleware}.
 *
 * @example
 * ```ts
 * createKoaMiddleware(webhooks, { path: '/webhooks/allthings', bodyLimit: 1024 * 1024 });
 * ```
 */
export interface KoaMiddlewareOptions {
  /** Answer only this exact path and pass other requests on; default: answer every request (mount it on a router). */
  path?: string;
  /** Most body bytes read; a larger body is answered 413 without reading further. Default 5 MiB. */
  bodyLimit?: number;
}

/**
 * The parts of a Koa context the middleware uses (structural, so the library does not depend on Koa).
 *
 * @example
 * ```ts
 * const answer = (ctx: KoaContextLike) => { ctx.status = 200 };
 * ```
 */
export interface KoaContextLike {
  readonly method: string;
  readonly path: string;
  readonly req: IncomingMessage;
  readonly request: { readonly rawBody?: unknown; readonly body?: unknown };
  status: number;
  body: unknown;
  set(field: { [key: string]: string }): void;
}

/**
 * A Koa middleware function.
 *
 * @example
 * ```ts
 * const middleware: KoaWebhookMiddleware = createKoaMiddleware(webhooks);
 * ```
 */
export type KoaWebhookMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>;

/**
 * Turns a webhook handler into Koa middleware. It reads the raw request stream, or the raw body kept by a
 * body parser (`ctx.request.rawBody`, as koa-bodyparser sets it); a parser that consumed the stream without
 * keeping it gets a 500 `body_already_parsed` at once.
 *
 * @example
 * ```ts
 * import { createKoaMiddleware } from 'allthings-webhooks/koa';
 * app.use(createKoaMiddleware(webhooks, { path: '/webhooks/allthings' }));
 * ```
 */
export function createKoaMiddleware(handler: WebhookHandler, options: KoaMiddlewareOptions = {}): KoaWebhookMiddleware {
  checkHandler(handler, 'createKoaMiddleware');
  const limit = resolveBodyLimit(options.bodyLimit);
  const { path } = options;
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new TypeError("allthings-webhooks: createKoaMiddleware's path must start with '/', e.g. '/webhooks/allthings'.");
  }
  return async (ctx, next) => {
    if (path !== undefined && ctx.path !== path) {
      await next();
      return;
    }
    if (ctx.method !== 'POST') return reply(ctx, handler.reject('method_not_allowed'));
    const read = await readNodeBody(ctx.req, limit, [ctx.request.rawBody]);
    if (!read.ok) return reply(ctx, handler.reject(read.reason));
    reply(ctx, await handler.handle({ rawBody: read.body, headers: ctx.req.headers }));
  };
}

function reply(ctx: KoaContextLike, response: WebhookResponse): void {
  ctx.set({ ...response.headers });
  ctx.status = response.status;
  ctx.body = response.body;
}
