// A webhook receiver in Koa. Run: ALLTHINGS_WEBHOOK_SECRET=... npx tsx examples/koa.ts
import { pathToFileURL } from 'node:url';
import Koa from 'koa';
import { createWebhookHandler } from 'allthings-webhooks';
import { createKoaMiddleware } from 'allthings-webhooks/koa';

export function createApp(secret = process.env.ALLTHINGS_WEBHOOK_SECRET ?? ''): Koa {
  const webhooks = createWebhookHandler({
    secret,
    on: {
      'ticket.created': async (event) => {
        console.log(`ticket.created ${event.id}`);
      },
    },
  });
  const app = new Koa();
  // Before any body parser: the middleware reads the raw stream for its path and passes other requests on.
  app.use(createKoaMiddleware(webhooks, { path: '/webhooks/allthings' }));
  app.use((ctx) => {
    ctx.body = 'hello';
  });
  return app;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  createApp().listen(3000, () => console.log('listening on http://localhost:3000/webhooks/allthings'));
}
