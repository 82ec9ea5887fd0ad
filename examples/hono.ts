// A webhook receiver in Hono, served by @hono/node-server here; the same app runs on Workers, Bun and Deno.
// Run: ALLTHINGS_WEBHOOK_SECRET=... npx tsx examples/hono.ts
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createWebhookHandler } from 'allthings-webhooks';
import { createFetchHandler } from 'allthings-webhooks/fetch';

export function createApp(secret = process.env.ALLTHINGS_WEBHOOK_SECRET ?? ''): Hono {
  const webhooks = createWebhookHandler({
    secret,
    on: {
      'ticket.created': async (event) => {
        console.log(`ticket.created ${event.id}`);
      },
    },
  });
  const receive = createFetchHandler(webhooks);
  const app = new Hono();
  // Pass the untouched Request: do not call c.req.json() / c.req.text() first.
  app.post('/webhooks/allthings', (c) => receive(c.req.raw));
  return app;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  serve({ fetch: createApp().fetch, port: 3000 }, () => console.log('listening on http://localhost:3000/webhooks/allthings'));
}
