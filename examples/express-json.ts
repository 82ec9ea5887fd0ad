// Express with a global express.json() that must stay first: keep the raw bytes in req.rawBody with the
// parser's `verify` callback, and the webhook listener verifies those.
// Run: ALLTHINGS_WEBHOOK_SECRET=... npx tsx examples/express-json.ts
import type { IncomingMessage } from 'node:http';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { createWebhookHandler } from 'allthings-webhooks';
import { createNodeListener } from 'allthings-webhooks/node';

export function createApp(secret = process.env.ALLTHINGS_WEBHOOK_SECRET ?? ''): express.Express {
  const webhooks = createWebhookHandler({
    secret,
    on: {
      'ticket.created': async (event) => {
        console.log(`ticket.created ${event.id}`);
      },
    },
  });
  const app = express();
  app.use(
    express.json({
      verify: (req, _res, buf) => {
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buf;
      },
    }),
  );
  app.post('/webhooks/allthings', createNodeListener(webhooks));
  return app;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  createApp().listen(3000, () => console.log('listening on http://localhost:3000/webhooks/allthings'));
}
