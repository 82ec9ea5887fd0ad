// A webhook receiver in Fastify. The plugin scopes a raw-Buffer body parser to its own route; other routes
// keep Fastify's JSON parser. Run: ALLTHINGS_WEBHOOK_SECRET=... npx tsx examples/fastify.ts
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { createWebhookHandler } from 'allthings-webhooks';
import { fastifyWebhooks } from 'allthings-webhooks/fastify';

export async function buildApp(secret = process.env.ALLTHINGS_WEBHOOK_SECRET ?? ''): Promise<FastifyInstance> {
  const webhooks = createWebhookHandler({
    secret,
    on: {
      'ticket.created': async (event) => {
        console.log(`ticket.created ${event.id}`);
      },
    },
  });
  const app = Fastify();
  await app.register(fastifyWebhooks, { handler: webhooks, path: '/webhooks/allthings' });
  app.post('/api/echo', async (request) => request.body);
  return app;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const app = await buildApp();
  await app.listen({ port: 3000 });
  console.log('listening on http://localhost:3000/webhooks/allthings');
}
