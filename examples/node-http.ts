// A webhook receiver on plain node:http. Run: ALLTHINGS_WEBHOOK_SECRET=... npx tsx examples/node-http.ts
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { createWebhookHandler } from 'allthings-webhooks';
import { createNodeListener } from 'allthings-webhooks/node';

type Events = { 'ticket.created': { title?: string } };

export function createServer(secret = process.env.ALLTHINGS_WEBHOOK_SECRET ?? ''): http.Server {
  const webhooks = createWebhookHandler<Events>({
    secret,
    on: {
      'ticket.created': async (event) => {
        console.log(`ticket.created ${event.id}`);
      },
    },
  });
  const receive = createNodeListener(webhooks);
  return http.createServer((req, res) => {
    if (req.url === '/webhooks/allthings') return void receive(req, res);
    res.writeHead(404).end();
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  createServer().listen(3000, () => console.log('listening on http://localhost:3000/webhooks/allthings'));
}
