// `allthings-webhooks/koa`: Koa middleware. Re-exports only.
export {
  createKoaMiddleware,
  type KoaMiddlewareOptions,
  type KoaContextLike,
  type KoaWebhookMiddleware,
} from '../adapters/koa.js';
