// `allthings-webhooks/node`: node:http, Express 4/5 and Connect. Re-exports only.
export { createNodeListener, type NodeListenerOptions, type NodeWebhookListener } from '../adapters/node.js';
export { DEFAULT_BODY_LIMIT } from '../adapters/node-body.js';
