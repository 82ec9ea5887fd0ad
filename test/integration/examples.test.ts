// Every example receiver, imported and sent a real signed delivery, so that the examples cannot rot.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer as nodeHttpExample } from '../../examples/node-http.js';
import { createApp as expressExample } from '../../examples/express.js';
import { createApp as expressJsonExample } from '../../examples/express-json.js';
import { buildApp as fastifyExample } from '../../examples/fastify.js';
import { createApp as koaExample } from '../../examples/koa.js';
import { createApp as honoExample } from '../../examples/hono.js';
import { deliver, envelope, post, SECRET, signed } from './support/http.js';

const PATH = '/webhooks/allthings';
const closers: Array<() => Promise<void>> = [];
const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);

beforeAll(() => {
  process.env.ALLTHINGS_WEBHOOK_SECRET = SECRET;
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  delete process.env.ALLTHINGS_WEBHOOK_SECRET;
  log.mockRestore();
});

async function serveNode(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`;
}

let n = 0;
async function expectReceives(url: string) {
  const id = `evt_example_${++n}`;
  const answer = await deliver(url, envelope(id));
  expect(answer.status).toBe(200);
  expect(log).toHaveBeenCalledWith(`ticket.created ${id}`);
  const body = envelope(`evt_example_${++n}`);
  expect((await post(url, body.replace('Leaking', 'Leaky'), signed(body))).status).toBe(401);
}

describe('examples/', () => {
  it('node-http.ts receives a signed delivery', async () => {
    await expectReceives(await serveNode(nodeHttpExample(SECRET)));
  });

  it('express.ts receives a signed delivery, and its other routes still parse JSON', async () => {
    const url = await serveNode(http.createServer(expressExample(SECRET)));
    await expectReceives(url);
    const echo = await post(url.replace(PATH, '/api/echo'), '{"a":1}', { 'content-type': 'application/json' });
    expect(JSON.parse(echo.body)).toEqual({ a: 1 });
  });

  it('express-json.ts (global express.json with verify) receives a signed delivery', async () => {
    await expectReceives(await serveNode(http.createServer(expressJsonExample(SECRET))));
  });

  it('fastify.ts receives a signed delivery, and its other routes still parse JSON', async () => {
    const app = await fastifyExample(SECRET);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    await expectReceives(`${address}${PATH}`);
    const echo = await post(`${address}/api/echo`, '{"a":1}', { 'content-type': 'application/json' });
    expect(JSON.parse(echo.body)).toEqual({ a: 1 });
  });

  it('koa.ts receives a signed delivery', async () => {
    await expectReceives(await serveNode(http.createServer(koaExample(SECRET).callback())));
  });

  it('hono.ts receives a signed delivery through @hono/node-server', async () => {
    const server = await new Promise<http.Server>((resolve) => {
      const s = serve({ fetch: honoExample(SECRET).fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as http.Server));
    });
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    await expectReceives(`http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`);
  });

  it('nextjs-route.ts exports a POST handler that answers a Request', async () => {
    const { POST } = await import('../../examples/nextjs-route.js');
    const body = envelope('evt_example_next');
    const response = await POST(new Request(`https://app.example${PATH}`, { method: 'POST', headers: signed(body), body }));
    expect(response.status).toBe(200);
    expect(log).toHaveBeenCalledWith('ticket.created evt_example_next');
  });

  it('lambda.ts exports a handler that answers an HTTP API (v2) event', async () => {
    const { handler } = await import('../../examples/lambda.js');
    const body = envelope('evt_example_lambda');
    const result = await handler({
      version: '2.0',
      requestContext: { http: { method: 'POST' } },
      headers: signed(body),
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    });
    expect(result.statusCode).toBe(200);
    expect(log).toHaveBeenCalledWith('ticket.created evt_example_lambda');
  });
});
