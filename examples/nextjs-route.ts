// A Next.js App Router route handler: save as app/webhooks/allthings/route.ts.
// Route handlers get the untouched Request, so the raw body is available; no config needed.
import { createWebhookHandler } from 'allthings-webhooks';
import { createFetchHandler } from 'allthings-webhooks/fetch';

const webhooks = createWebhookHandler({
  secret: process.env.ALLTHINGS_WEBHOOK_SECRET ?? '',
  on: {
    'ticket.created': async (event) => {
      console.log(`ticket.created ${event.id}`);
    },
  },
});

export const POST = createFetchHandler(webhooks);
// Node.js runtime: the default in-memory dedup store and node:crypto. Use a Redis/Postgres store when
// the route runs on several instances (serverless).
export const runtime = 'nodejs';
