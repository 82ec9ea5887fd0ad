// Every host the adapters support, booted for real on 127.0.0.1 with an ephemeral port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import type { WebhookHandler } from 'allthings-webhooks';
import { fastifyWebhooks } from 'allthings-webhooks/fastify';
import { createFetchHandler } from 'allthings-webhooks/fetch';
import { createKoaMiddleware } from 'allthings-webhooks/koa';
import { createNodeListener } from 'allthings-webhooks/node';

export const WEBHOOK_PATH = '/webhooks';

export interface HostOptions {
  bodyLimit?: number;
}

/** A host under test: starts a server around a handler and answers its webhook URL. */
export interface Host {
  readonly name: string;
  start(handler: WebhookHandler, options?: HostOptions): Promise<string>;
  /** Closes every server this host started. */
  closeAll(): Promise<void>;
}

type Closer = () => Promise<void>;

function host(name: string, boot: (handler: WebhookHandler, options: HostOptions) => Promise<{ url: string; close: Closer }>): Host {
  const closers: Closer[] = [];
  return {
    name,
    async start(handler, options = {}) {
      const { url, close } = await boot(handler, options);
      closers.push(close);
      return url;
    },
    async closeAll() {
      await Promise.all(closers.splice(0).map((close) => close()));
    },
  };
}

/** Listens on 127.0.0.1:0 and answers the webhook URL and a closer that drops open connections. */
export async function listen(server: http.Server): Promise<{ url: string; close: Closer }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const nodeHttpHost = host('node:http', (handler, options) =>
  listen(http.createServer(createNodeListener(handler, options))),
);

export const express5Host = host('Express 5', (handler, options) => {
  const app = express();
  app.post(WEBHOOK_PATH, createNodeListener(handler, options));
  return listen(http.createServer(app));
});

export const express4Host = host('Express 4', (handler, options) => {
  const app = express4();
  app.post(WEBHOOK_PATH, createNodeListener(handler, options));
  return listen(http.createServer(app));
});

type Middleware = (req: http.IncomingMessage, res: http.ServerResponse, next: (error?: unknown) => void) => unknown;

/** Connect's model (connect itself is not installed): a chain of `(req, res, next)` functions on node:http. */
export function connectStyle(...stack: Middleware[]): http.RequestListener {
  return (req, res) => {
    let index = 0;
    const next = (error?: unknown): void => {
      const layer = stack[index++];
      if (error !== undefined || layer === undefined) {
        res.writeHead(error === undefined ? 404 : 500).end();
        return;
      }
      void layer(req, res, next);
    };
    next();
  };
}

export const connectHost = host('Connect-style chain', (handler, options) => {
  const logger: Middleware = (_req, _res, next) => next();
  return listen(http.createServer(connectStyle(logger, createNodeListener(handler, options))));
});

export const fastifyHost = host('Fastify', async (handler, options) => {
  const app = Fastify();
  await app.register(fastifyWebhooks, { handler, path: WEBHOOK_PATH, ...options });
  // The rest of the app keeps Fastify's JSON parser: the raw parser is scoped to the plugin.
  app.post('/json', async (request) => ({ echoed: request.body }));
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `${address}${WEBHOOK_PATH}`, close: () => app.close() };
});

export const koaHost = host('Koa', (handler, options) => {
  const app = new Koa();
  // Koa prints every error that reaches the app unless it has an 'error' listener; the hostile suite aborts
  // requests on purpose (Koa then reports the socket's parse error). The tests assert the answers instead.
  app.on('error', () => undefined);
  app.use(createKoaMiddleware(handler, { path: WEBHOOK_PATH, ...options }));
  app.use((ctx) => {
    ctx.body = 'other route';
  });
  return listen(http.createServer(app.callback()));
});

export const honoHost = host('Hono (@hono/node-server)', async (handler, options) => {
  const app = new Hono();
  const receive = createFetchHandler(handler, options);
  app.post(WEBHOOK_PATH, (c) => receive(c.req.raw));
  const server = await new Promise<http.Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as http.Server));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});

export const allHosts: readonly Host[] = [
  nodeHttpHost,
  express4Host,
  express5Host,
  connectHost,
  fastifyHost,
  koaHost,
  honoHost,
];
