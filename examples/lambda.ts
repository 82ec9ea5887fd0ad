// An AWS Lambda behind API Gateway (REST v1 or HTTP API v2) or a function URL.
// Lambda runs many instances: give the handler a shared store (allthings-webhooks/redis or /postgres);
// the in-memory default only deduplicates within one warm instance.
import { createWebhookHandler } from 'allthings-webhooks';
import { createLambdaHandler } from 'allthings-webhooks/lambda';

const webhooks = createWebhookHandler({
  secret: process.env.ALLTHINGS_WEBHOOK_SECRET ?? '',
  on: {
    'ticket.created': async (event) => {
      console.log(`ticket.created ${event.id}`);
    },
  },
});

export const handler = createLambdaHandler(webhooks);
