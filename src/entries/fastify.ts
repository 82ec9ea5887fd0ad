// `allthings-webhooks/fastify`: a Fastify plugin. Re-exports only.
export {
  fastifyWebhooks,
  DEFAULT_FASTIFY_PATH,
  type FastifyWebhookOptions,
  type FastifyInstanceLike,
} from '../adapters/fastify.js';
