// A webhook receiver in Express (4 or 5). The webhook route is mounted BEFORE express.json(), so the
// listener reads the raw bytes; the rest of the app keeps its JSON parser.
// Run: ALLTHINGS_WEBHOOK_SECRET=... npx tsx examples/express.ts
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
  app.post('/webhooks/allthings', createNodeListener(webhooks));
  app.use(express.json());
  app.post('/api/echo', (req, res) => {
    res.json(req.body);
  });
  return app;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  createApp().listen(3000, () => console.log('listening on http://localhost:3000/webhooks/allthings'));
}
