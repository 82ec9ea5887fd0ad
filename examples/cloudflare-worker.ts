// A Cloudflare Worker. Set the secret with `wrangler secret put ALLTHINGS_WEBHOOK_SECRET`.
// The web entry verifies with Web Crypto and the fetch adapter reads the Request: neither imports from
// `node:`, so no `nodejs_compat` flag is needed. Workers run many isolates: for deduplication across them,
// give createWebhookHandler a shared store (the default one lives in this isolate's memory).
import { createWebhookHandler } from 'allthings-webhooks/web';
import { createFetchHandler } from 'allthings-webhooks/fetch';

interface Env {
  ALLTHINGS_WEBHOOK_SECRET: string;
}

let receive: ((request: Request) => Promise<Response>) | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    // Built on the first request: the secret arrives with `env`, and the handler (with its dedup store)
    // lives as long as the isolate.
    receive ??= createFetchHandler(
      createWebhookHandler({
        secret: env.ALLTHINGS_WEBHOOK_SECRET,
        on: {
          'ticket.created': async (event) => {
            console.log(`ticket.created ${event.id}`);
          },
        },
      }),
    );
    return receive(request);
  },
};
