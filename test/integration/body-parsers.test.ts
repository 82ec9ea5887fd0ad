// A body parser that runs before the webhook listener: a clear answer within the client timeout, never a
// hang, and the raw bytes used when the parser kept them.
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import express from 'express';
import express4 from 'express4';
import Koa from 'koa';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createFetchHandler } from 'allthings-webhooks/fetch';
import { createKoaMiddleware } from 'allthings-webhooks/koa';
import { createNodeListener } from 'allthings-webhooks/node';
import { deliver, envelope } from './support/http.js';
import { listen, WEBHOOK_PATH } from './support/hosts.js';
import { recordingHandler } from './support/scenarios.js';

const closers: Array<() => Promise<void>> = [];
afterAll(() => Promise.all(closers.map((close) => close())));

async function start(server: http.Server): Promise<string> {
  const { url, close } = await listen(server);
  closers.push(close);
  return url;
}

let n = 0;
const id = () => `evt_parsers_${++n}`;

for (const [name, factory] of [
  ['Express 5', express],
  ['Express 4', express4],
] as const) {
  describe(`${name} with a body parser mounted first`, () => {
    it('answers 500 body_already_parsed at once (no hang) when a global express.json() consumed the body', async () => {
      const failures: unknown[] = [];
      const { handler, seen } = recordingHandler({ onFailed: (info) => failures.push(info) });
      const app = factory();
      app.use(express.json());
      app.post(WEBHOOK_PATH, createNodeListener(handler));
      const answer = await deliver(await start(http.createServer(app)), envelope(id()));
      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.body)).toMatchObject({ ok: false, reason: 'body_already_parsed' });
      expect(JSON.parse(answer.body).message).toContain('express.json()');
      expect(seen.started).toBe(0);
      expect(failures).toEqual([
        expect.objectContaining({ reason: 'body_already_parsed', status: 500, error: expect.any(TypeError) }),
      ]);
    });

    it('verifies with the raw bytes an express.json({ verify }) callback kept in req.rawBody', async () => {
      const { handler, seen } = recordingHandler();
      const app = factory();
      app.use(
        express.json({
          verify: (req, _res, buf) => {
            (req as http.IncomingMessage & { rawBody?: Buffer }).rawBody = buf;
          },
        }),
      );
      app.post(WEBHOOK_PATH, createNodeListener(handler));
      const answer = await deliver(await start(http.createServer(app)), envelope(id()));
      expect(answer.status).toBe(200);
      expect(seen.completed).toBe(1);
    });

    it("verifies with the Buffer from a route-level express.raw({ type: 'application/json' })", async () => {
      const { handler, seen } = recordingHandler();
      const app = factory();
      app.post(WEBHOOK_PATH, express.raw({ type: 'application/json' }), createNodeListener(handler));
      const answer = await deliver(await start(http.createServer(app)), envelope(id()));
      expect(answer.status).toBe(200);
      expect(seen.completed).toBe(1);
    });
  });
}

describe('Koa with a middleware that consumed the request stream first', () => {
  it('answers 500 body_already_parsed at once, and uses ctx.request.rawBody when a parser kept it', async () => {
    const { handler, seen } = recordingHandler();
    const readAll = async (req: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    };
    const app = new Koa();
    app.use(async (ctx, next) => {
      const text = await readAll(ctx.req);
      if (ctx.path === '/kept') (ctx.request as { rawBody?: string }).rawBody = text;
      await next();
    });
    app.use(createKoaMiddleware(handler));
    const url = await start(http.createServer(app.callback()));
    const lost = await deliver(url, envelope(id()));
    expect(lost.status).toBe(500);
    expect(JSON.parse(lost.body)).toMatchObject({ ok: false, reason: 'body_already_parsed' });
    expect(seen.started).toBe(0);
    const kept = await deliver(url.replace(WEBHOOK_PATH, '/kept'), envelope(id()));
    expect(kept.status).toBe(200);
    expect(seen.completed).toBe(1);
  });
});

describe('Hono with the body read before the adapter', () => {
  it('answers 500 body_already_parsed when c.req.json() consumed the raw request', async () => {
    const { handler, seen } = recordingHandler();
    const receive = createFetchHandler(handler);
    const app = new Hono();
    app.post(WEBHOOK_PATH, async (c) => {
      await c.req.json();
      return receive(c.req.raw);
    });
    const server = await new Promise<http.Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as http.Server));
    });
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const answer = await deliver(`http://127.0.0.1:${port}${WEBHOOK_PATH}`, envelope(id()));
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: false, reason: 'body_already_parsed' });
    expect(seen.started).toBe(0);
  });
});
