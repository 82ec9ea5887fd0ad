// Hostile input and hostile timing against the handler, the host adapters and the seen-event stores, over
// real HTTP on 127.0.0.1. Every test asserts the exact status and reason the library gives today, so that a
// regression shows up here; every test also checks that no answer, hook argument or error carries payload
// text, header values or the secret (SPEC 7). Time is bounded: clients give up after a few seconds.
import http from 'node:http';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWebhookHandler,
  MemorySeenEventStore,
  signPayload,
  type SeenEventStore,
  type WebhookHandler,
} from 'allthings-webhooks';
import { createLambdaHandler } from 'allthings-webhooks/lambda';
import { createNodeListener } from 'allthings-webhooks/node';
import { PostgresSeenEventStore } from 'allthings-webhooks/postgres';
import { RedisSeenEventStore } from 'allthings-webhooks/redis';
import { allHosts, koaHost, listen, nodeHttpHost, type Host } from '../integration/support/hosts.js';
import { post, rawRequest, requestHead, type Answer } from '../integration/support/http.js';
import { connectRedis, type TestRedisClient } from '../support/redis-harness.js';
import { DATABASE_URL, serverMissing, sleep, uniqueName } from '../support/servers.js';

const SECRET = 'SECRETMARK_hostile_4b9e';
const BODY_MARK = 'BODYMARK_c81f';
const HEADER_MARK = 'HEADERMARK_2d7a';
const SIG_H = 'x-allthings-signature';
const TS_H = 'x-allthings-signature-timestamp';
const HOOK_NAMES = ['onProcessed', 'onDuplicate', 'onIgnored', 'onStale', 'onRejected', 'onFailed'] as const;

// ---------------------------------------------------------------------------------------------- helpers

/** JSON of anything, errors expanded (name, message, stack, cause), non-errors thrown kept as they are. */
function reveal(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Error ? { name: v.name, message: v.message, stack: v.stack, code: (v as { code?: unknown }).code, cause: v.cause } : v,
  );
}

/** A handler under test with its hook calls and handler runs recorded. */
interface Harness {
  handler: WebhookHandler;
  runs: string[];
  hooks: Array<[string, Record<string, unknown>]>;
  /** The secret values this harness must never expose, besides the fixed markers. */
  forbidden: string[];
}

type Work = (event: { id: string; name: string; data: unknown }, ctx: { signal: AbortSignal }) => unknown;

function harness(options: { work?: Work; store?: SeenEventStore | false; leaseMs?: number; extra?: Record<string, unknown> } = {}): Harness {
  const runs: string[] = [];
  const hooks: Array<[string, Record<string, unknown>]> = [];
  const work = options.work ?? (async () => undefined);
  const recorders = Object.fromEntries(
    HOOK_NAMES.map((name) => [name, (info: Record<string, unknown>) => void hooks.push([name, info])]),
  );
  const handler = createWebhookHandler({
    secret: SECRET,
    ...(options.store !== undefined ? { store: options.store } : {}),
    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
    on: {
      'ticket.created': async (event, ctx) => {
        runs.push(event.id);
        return work(event as never, ctx);
      },
    },
    ...recorders,
    ...options.extra,
  });
  return { handler, runs, hooks, forbidden: [] };
}

/** Headers signed now for a body, plus a header carrying a marker that must never be echoed. */
function signedHeaders(body: string | Uint8Array, extra: Record<string, string> = {}): Record<string, string> {
  return { ...signPayload(body, SECRET), 'content-type': 'application/json', 'x-trace': HEADER_MARK, ...extra };
}

const delivery = (id: unknown, name: unknown = 'ticket.created', extra: Record<string, unknown> = {}) =>
  JSON.stringify({ event: { id, name, urn: 'urn:ticket:1', createdDate: '2026-01-01T00:00:00Z', data: { note: BODY_MARK }, ...extra } });

/** Fails when any answer or hook argument of the harness carries the secret, payload text or header values. */
function expectPrivate(h: Harness, answers: ReadonlyArray<Answer | undefined>, more: string[] = []) {
  const texts = [...answers.map((a) => reveal(a)), ...h.hooks.map((call) => reveal(call))];
  const markers = [SECRET, BODY_MARK, HEADER_MARK, ...h.forbidden, ...more];
  for (const text of texts) for (const marker of markers) expect(text).not.toContain(marker);
}

const reasonOf = (a: Answer) => (JSON.parse(a.body) as { reason?: string; outcome?: string }).reason;
const outcomeOf = (a: Answer) => (JSON.parse(a.body) as { reason?: string; outcome?: string }).outcome;

function expectAnswer(a: Answer, status: number, reasonOrOutcome: string) {
  expect(a.status).toBe(status);
  expect(status < 300 ? outcomeOf(a) : reasonOf(a)).toBe(reasonOrOutcome);
}

async function deliver(url: string, body: string | Uint8Array, extra: Record<string, string> = {}): Promise<Answer> {
  return post(url, body, signedHeaders(body, extra));
}

/** Opens a raw socket, writes `head` and part of a body, then resolves with the socket (still open). */
function openRaw(url: string, first: string | Uint8Array): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(first, () => resolve(socket));
    });
    socket.on('error', reject);
  });
}

/** Waits until a raw socket is closed by the server, collecting what it sent. */
function collectUntilClose(socket: net.Socket, timeoutMs: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve({ text, closed: false }), timeoutMs);
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

async function until(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

afterAll(async () => {
  await Promise.all(allHosts.map((host) => host.closeAll()));
});

// ----------------------------------------------------------------------------------- hostile bodies

describe('hostile signed bodies (node:http)', () => {
  let url: string;
  const h = harness();
  beforeAll(async () => {
    url = await nodeHttpHost.start(h.handler);
  });

  const cases: Array<[label: string, body: string, status: number, reason: string]> = [
    ['empty body', '', 400, 'invalid_json'],
    ['whitespace only', ' \n\t\r ', 400, 'invalid_json'],
    ['BOM before JSON', `\uFEFF${delivery('bom-1')}`, 400, 'invalid_json'],
    ['truncated JSON', delivery('trunc-1').slice(0, -3), 400, 'invalid_json'],
    ['JSON array', '[{"event":{"id":"a","name":"ticket.created"}}]', 400, 'missing_event_id'],
    ['JSON number', '42', 400, 'missing_event_id'],
    ['JSON null', 'null', 400, 'missing_event_id'],
    ['JSON string', '"ticket.created"', 400, 'missing_event_id'],
    ['JSON true', 'true', 400, 'missing_event_id'],
    ['event null', '{"event":null}', 400, 'missing_event_id'],
    ['event array', '{"event":["id","name"]}', 400, 'missing_event_id'],
    ['event string', '{"event":"ticket.created"}', 400, 'missing_event_id'],
    ['id object', '{"event":{"id":{},"name":"ticket.created"}}', 400, 'missing_event_id'],
    ['id array', '{"event":{"id":["a"],"name":"ticket.created"}}', 400, 'missing_event_id'],
    ['id null', '{"event":{"id":null,"name":"ticket.created"}}', 400, 'missing_event_id'],
    ['id true', '{"event":{"id":true,"name":"ticket.created"}}', 400, 'missing_event_id'],
    ['id empty string', '{"event":{"id":"","name":"ticket.created"}}', 400, 'missing_event_id'],
    ['id 10 KB string', delivery('x'.repeat(10 * 1024)), 400, 'missing_event_id'],
    ['id 513 chars', delivery('y'.repeat(513)), 400, 'missing_event_id'],
    ['id number overflowing to Infinity', '{"event":{"id":1e400,"name":"ticket.created"}}', 400, 'missing_event_id'],
    ['name missing', '{"event":{"id":"no-name-1"}}', 400, 'missing_event_name'],
    ['name a number', '{"event":{"id":"num-name-1","name":42}}', 400, 'missing_event_name'],
    ['name empty', '{"event":{"id":"empty-name-1","name":""}}', 400, 'missing_event_name'],
    ['name an object', '{"event":{"id":"obj-name-1","name":{"toString":"ticket.created"}}}', 400, 'missing_event_name'],
    // JSON.parse makes `__proto__` an own data property; it neither changes the prototype nor supplies `event`.
    ['envelope under __proto__', '{"__proto__":{"event":{"id":"p1","name":"ticket.created"}}}', 400, 'missing_event_id'],
    ['envelope under constructor', '{"constructor":{"event":{"id":"p2","name":"ticket.created"}}}', 400, 'missing_event_id'],
    ['name constructor', delivery('proto-name-1', 'constructor'), 200, 'ignored'],
    ['name __proto__', delivery('proto-name-2', '__proto__'), 200, 'ignored'],
    ['name toString', delivery('proto-name-3', 'toString'), 200, 'ignored'],
    ['name hasOwnProperty', delivery('proto-name-4', 'hasOwnProperty'), 200, 'ignored'],
  ];

  for (const [label, body, status, reason] of cases) {
    it(`${label} → ${status} ${reason}`, async () => {
      const before = h.runs.length;
      const answer = await deliver(url, body);
      expectAnswer(answer, status, reason);
      if (status !== 200 || reason !== 'processed') expect(h.runs.length).toBe(before);
      expectPrivate(h, [answer]);
    });
  }

  it('bytes that are not UTF-8 inside a string value are replaced, not rejected; the id stays exact', async () => {
    const body = Buffer.concat([
      Buffer.from('{"event":{"id":"bad-utf8-1","name":"ticket.created","data":"'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"}}'),
    ]);
    const answer = await deliver(url, new Uint8Array(body));
    expectAnswer(answer, 200, 'processed');
    expect(h.runs).toContain('bad-utf8-1');
  });

  it('__proto__ / constructor keys inside the event pollute nothing', async () => {
    let seen: unknown;
    const local = harness({ work: (event) => void (seen = event) });
    const localUrl = await nodeHttpHost.start(local.handler);
    const body =
      '{"event":{"id":"pollute-1","name":"ticket.created","__proto__":{"polluted":true,"data":"fake"},' +
      '"constructor":{"prototype":{"polluted":true}},"data":{"__proto__":{"polluted":true}}}}';
    const answer = await deliver(localUrl, body);
    expectAnswer(answer, 200, 'processed');
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    const event = seen as { id: string; data: Record<string, unknown> };
    expect(event.id).toBe('pollute-1');
    expect((event.data as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.isFrozen(event)).toBe(true);
  });

  it('an id of exactly 512 characters is processed; ids are not trimmed or normalised', async () => {
    const id = 'z'.repeat(512);
    expectAnswer(await deliver(url, delivery(id)), 200, 'processed');
    expect(h.runs).toContain(id);
    expectAnswer(await deliver(url, delivery(` ${'z'.repeat(510)} `)), 200, 'processed');
  });

  it('ids with newlines, CR, tabs, quotes and unicode are processed once each, byte-exact', async () => {
    const ids = ['line\nbreak', 'cr\rlf\r\n', 'tab\tid', 'quo"te\\', '🦄-ünï-ℂødé', '\u2028\u2029', '\uFEFFbom'];
    for (const id of ids) {
      expectAnswer(await deliver(url, delivery(id)), 200, 'processed');
      expectAnswer(await deliver(url, delivery(id)), 200, 'duplicate');
    }
    for (const id of ids) expect(h.runs.filter((run) => run === id)).toHaveLength(1);
  });

  it('ids with NUL or a lone surrogate are refused (400) on every store, so they cannot collide', async () => {
    for (const id of ['nul\u0000id', 'x\ud800', 'x\udc00']) {
      expectAnswer(await deliver(url, delivery(id)), 400, 'missing_event_id');
    }
    expect(h.runs.some((run) => run.startsWith('nul') || run.startsWith('x\ud800') || run === 'x\udc00')).toBe(false);
  });

  it('ids that differ only by case, or by Unicode normalisation (NFC vs NFD), are distinct events', async () => {
    const nfc = 'caf\u00e9-evt';
    const nfd = 'cafe\u0301-evt';
    expect(nfc.normalize('NFC')).toBe(nfd.normalize('NFC'));
    for (const id of ['Case-Evt-1', 'case-evt-1', 'CASE-EVT-1', nfc, nfd]) {
      expectAnswer(await deliver(url, delivery(id)), 200, 'processed');
    }
    for (const id of ['Case-Evt-1', 'case-evt-1', 'CASE-EVT-1', nfc, nfd]) expect(h.runs.filter((r) => r === id)).toHaveLength(1);
  });

  it('a numeric id counts as its decimal string (1 and "1" are the same event)', async () => {
    expectAnswer(await deliver(url, '{"event":{"id":77001,"name":"ticket.created"}}'), 200, 'processed');
    expectAnswer(await deliver(url, '{"event":{"id":"77001","name":"ticket.created"}}'), 200, 'duplicate');
    expectAnswer(await deliver(url, '{"event":{"id":77001.0,"name":"ticket.created"}}'), 200, 'duplicate');
  });

  it('100,000 levels of nesting do not crash the process (arrays and objects)', async () => {
    const arrays = `{"event":{"id":"deep-a","name":"ticket.created","data":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    const objects = `{"event":{"id":"deep-o","name":"ticket.created","data":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}}`;
    expectAnswer(await deliver(url, arrays), 200, 'processed');
    expectAnswer(await deliver(url, objects), 200, 'processed');
    // Unbalanced, deep and invalid: still a clean 400.
    expectAnswer(await deliver(url, `{"event":{"id":"deep-x","name":"ticket.created","data":${'['.repeat(100_000)}}}`), 400, 'invalid_json');
    // The server still answers.
    expectAnswer(await deliver(url, delivery('after-deep')), 200, 'processed');
  });

  it('unsigned hostile bodies never reach JSON parsing: setup ping or 401', async () => {
    const deep = '['.repeat(200_000);
    const ping = await post(url, deep, { 'content-type': 'application/json' });
    expectAnswer(ping, 200, 'ping');
    const forged = await post(url, deep, { [SIG_H]: 'a'.repeat(64), [TS_H]: String(Date.now()) });
    expectAnswer(forged, 401, 'signature_mismatch');
    expect(h.hooks.some(([name, info]) => name === 'onIgnored' && info['reason'] === 'setup_ping')).toBe(true);
  });
});

// -------------------------------------------------------------------------- size limits, every host

describe.each(allHosts.map((host) => [host.name, host] as [string, Host]))('body size on %s', (_name, host) => {
  it('5 MiB + 1 byte → 413 payload_too_large, handler not run; exactly 5 MiB is processed', async () => {
    const h = harness();
    const url = await host.start(h.handler);
    const limit = 5 * 1024 * 1024;
    const head = '{"event":{"id":"big-1","name":"ticket.created","data":"';
    const tail = '"}}';
    const exact = head + 'a'.repeat(limit - head.length - tail.length) + tail;
    expect(Buffer.byteLength(exact)).toBe(limit);
    const over = head.replace('big-1', 'big-2') + 'a'.repeat(limit - head.length - tail.length + 1) + tail;
    expect(Buffer.byteLength(over)).toBe(limit + 1);

    const tooBig = await deliver(url, over);
    expectAnswer(tooBig, 413, 'payload_too_large');
    expect(h.runs).toEqual([]);
    const fits = await deliver(url, exact);
    expectAnswer(fits, 200, 'processed');
    expect(h.runs).toEqual(['big-1']);
    expectPrivate(h, [tooBig, fits]);
  });
});

// ---------------------------------------------------------------------------- wire-level hostility

describe.each(allHosts.map((host) => [host.name, host] as [string, Host]))('aborts and odd requests on %s', (_name, host) => {
  it('a request aborted mid-body: nothing runs, nothing stays claimed, the server keeps answering', async () => {
    const h = harness();
    const url = await host.start(h.handler);
    const body = delivery(`abort-${host.name}`, 'ticket.created', { pad: 's'.repeat(50_000) });
    const socket = await openRaw(url, requestHead(url, { 'content-length': Buffer.byteLength(body), ...signedHeaders(body) }) + body.slice(0, 1000));
    await sleep(50);
    socket.destroy();
    await sleep(100);
    expect(h.runs).toEqual([]);
    expectAnswer(await deliver(url, body), 200, 'processed');
    expect(h.runs).toEqual([`abort-${host.name}`]);
  });

  it('a signed POST without content-type is processed', async () => {
    const h = harness();
    const url = await host.start(h.handler);
    const body = delivery(`no-ctype-${host.name}`);
    const headers = signedHeaders(body);
    delete headers['content-type'];
    const answer = await rawRequest(url, [{ bytes: requestHead(url, { 'content-length': Buffer.byteLength(body), ...headers }) + body }]);
    expectAnswer(answer, 200, 'processed');
  });

  it('a signed POST with content-type text/plain is processed (the signature, not the media type, decides)', async () => {
    const h = harness();
    const url = await host.start(h.handler);
    const body = delivery(`text-ctype-${host.name}`);
    expectAnswer(await post(url, body, signedHeaders(body, { 'content-type': 'text/plain' })), 200, 'processed');
  });
});

describe('hostile wire (node:http adapter)', () => {
  it('a content-length declaring more than the limit is refused before any byte of the body', async () => {
    const h = harness();
    const url = await nodeHttpHost.start(h.handler, { bodyLimit: 1024 });
    const answer = await rawRequest(url, [{ bytes: requestHead(url, { 'content-length': 10 * 1024 * 1024, ...signPayload('x', SECRET) }) }]);
    expectAnswer(answer, 413, 'payload_too_large');
    expect(answer.headers['connection']).toBe('close');
  });

  it('a chunked body of 20,000 one-byte chunks is reassembled and verified', async () => {
    const h = harness();
    const url = await nodeHttpHost.start(h.handler);
    const body = delivery('chunky-1', 'ticket.created', { pad: 'p'.repeat(20_000 - 150) });
    const chunks = Array.from(Buffer.from(body), (byte) => `1\r\n${String.fromCharCode(byte)}\r\n`).join('');
    const answer = await rawRequest(url, [
      { bytes: requestHead(url, { 'transfer-encoding': 'chunked', ...signedHeaders(body) }) },
      { bytes: `${chunks}0\r\n\r\n` },
    ]);
    expectAnswer(answer, 200, 'processed');
    expect(h.runs).toEqual(['chunky-1']);
  });

  it('a chunked body without content-length that passes the limit → 413 while reading', async () => {
    const h = harness();
    const url = await nodeHttpHost.start(h.handler, { bodyLimit: 1000 });
    const body = delivery('chunky-2', 'ticket.created', { pad: 'q'.repeat(2000) });
    const chunks = Array.from({ length: Math.ceil(body.length / 10) }, (_, i) => body.slice(i * 10, i * 10 + 10))
      .map((piece) => `${piece.length.toString(16)}\r\n${piece}\r\n`)
      .join('');
    const answer = await rawRequest(url, [
      { bytes: requestHead(url, { 'transfer-encoding': 'chunked', ...signedHeaders(body) }) },
      { bytes: `${chunks}0\r\n\r\n` },
    ]);
    expectAnswer(answer, 413, 'payload_too_large');
    expect(h.runs).toEqual([]);
  });

  it('a content-length smaller than the body: the declared bytes fail verification, the rest is a bad request', async () => {
    const h = harness();
    const url = await nodeHttpHost.start(h.handler);
    const body = delivery('short-cl-1');
    const answer = await rawRequest(url, [
      { bytes: requestHead(url, { 'content-length': body.length - 5, ...signedHeaders(body) }) + body },
    ]);
    // node:http answers the 5 trailing bytes (parsed as a second request) with 400 and closes the connection,
    // usually before the adapter's own answer to the truncated first request is written.
    expect([400, 401]).toContain(answer.status);
    await until(() => h.hooks.some(([name, info]) => name === 'onRejected' && info['reason'] === 'signature_mismatch'));
    expect(h.runs).toEqual([]);
  });

  it('a content-length larger than the body, then the client half-closes → no run, no claim held', async () => {
    const h = harness();
    const url = await nodeHttpHost.start(h.handler);
    const body = delivery('long-cl-1');
    const socket = await openRaw(url, requestHead(url, { 'content-length': body.length + 100, ...signedHeaders(body) }) + body);
    const seen = collectUntilClose(socket, 3_000);
    socket.end();
    const { closed } = await seen;
    expect(closed).toBe(true);
    await until(() => h.hooks.some(([name, info]) => name === 'onRejected' && info['reason'] === 'request_aborted'));
    expect(h.runs).toEqual([]);
    // Nothing was claimed: the provider's retry is processed at once.
    expectAnswer(await deliver(url, body), 200, 'processed');
    expect(h.runs).toEqual(['long-cl-1']);
    expectPrivate(h, []);
  });

  it('a request aborted mid-body → request_aborted hook, no run, no claim; the server keeps answering', async () => {
    const h = harness();
    const url = await nodeHttpHost.start(h.handler);
    const body = delivery('aborted-1', 'ticket.created', { pad: 'r'.repeat(50_000) });
    const socket = await openRaw(url, requestHead(url, { 'content-length': Buffer.byteLength(body), ...signedHeaders(body) }) + body.slice(0, 1000));
    await sleep(50);
    socket.destroy();
    await until(() => h.hooks.some(([name, info]) => name === 'onRejected' && info['reason'] === 'request_aborted'));
    const rejection = h.hooks.find(([name]) => name === 'onRejected')![1];
    expect(rejection).toEqual({ reason: 'request_aborted', status: 400, eventId: undefined, eventName: undefined });
    expect(h.runs).toEqual([]);
    expectAnswer(await deliver(url, body), 200, 'processed');
    expect(h.runs).toEqual(['aborted-1']);
  });

  it('a client that disconnects while the handler runs: the work completes once and the retry is a duplicate', async () => {
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const h = harness({ work: () => gate });
    const url = await nodeHttpHost.start(h.handler);
    const body = delivery('disconnect-1');
    const socket = await openRaw(url, requestHead(url, { 'content-length': Buffer.byteLength(body), ...signedHeaders(body) }) + body);
    await until(() => h.runs.length === 1);
    socket.destroy();
    expectAnswer(await deliver(url, body), 409, 'in_flight');
    finish();
    await until(() => h.hooks.some(([name]) => name === 'onProcessed'));
    expectAnswer(await deliver(url, body), 200, 'duplicate');
    expect(h.runs).toEqual(['disconnect-1']);
  });

  it('slowloris: a body trickled byte by byte is still answered correctly (the adapter has no read timeout)', async () => {
    const h = harness();
    const url = await nodeHttpHost.start(h.handler);
    const body = delivery('slow-1');
    const pieces = [{ bytes: requestHead(url, { 'content-length': Buffer.byteLength(body), ...signedHeaders(body) }) }];
    // ~120 bytes of the body, one every 5 ms, then the rest.
    for (let i = 0; i < 120; i++) pieces.push({ bytes: body[i]!, pauseBefore: 5 } as never);
    pieces.push({ bytes: body.slice(120) });
    const answer = await rawRequest(url, pieces);
    expectAnswer(answer, 200, 'processed');
  });

  it('slowloris: the bound is the server\'s requestTimeout; when it fires, nothing runs and nothing stays claimed', async () => {
    const h = harness();
    const server = http.createServer({ requestTimeout: 600 }, createNodeListener(h.handler));
    // Node checks request timeouts on this interval.
    (server as unknown as { connectionsCheckingInterval: number }).connectionsCheckingInterval = 100;
    const { url, close } = await listen(server);
    try {
      const body = delivery('slow-2');
      const socket = await openRaw(url, requestHead(url, { 'content-length': Buffer.byteLength(body), ...signedHeaders(body) }) + body.slice(0, 10));
      const { text, closed } = await collectUntilClose(socket, 5_000);
      expect(closed).toBe(true);
      expect(text.startsWith('HTTP/1.1 408')).toBe(true);
      await until(() => h.hooks.some(([name, info]) => name === 'onRejected' && info['reason'] === 'request_aborted'));
      expect(h.runs).toEqual([]);
      expectAnswer(await deliver(url, body), 200, 'processed');
    } finally {
      await close();
    }
  });

  it('content-length and transfer-encoding together are refused by the HTTP parser before the adapter', async () => {
    const h = harness();
    const url = await nodeHttpHost.start(h.handler);
    const body = delivery('smuggle-1');
    const answer = await rawRequest(url, [
      {
        bytes:
          requestHead(url, { 'content-length': 5, 'transfer-encoding': 'chunked', ...signedHeaders(body) }) +
          `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      },
    ]);
    expect(answer.status).toBe(400);
    expect(h.runs).toEqual([]);
  });
});

describe.each([nodeHttpHost, koaHost].map((host) => [host.name, host] as [string, Host]))('methods on %s', (_name, host) => {
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    it(`${method} → 405 method_not_allowed with Allow: POST, handler not run`, async () => {
      const h = harness();
      const url = await host.start(h.handler);
      const body = delivery(`method-${method}`);
      const response = await fetch(url, {
        method,
        headers: signedHeaders(body),
        body: method === 'GET' ? undefined : body,
        signal: AbortSignal.timeout(5_000),
      });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(JSON.parse(await response.text())).toEqual({ ok: false, reason: 'method_not_allowed' });
      expect(h.runs).toEqual([]);
      expect(h.hooks).toEqual([['onRejected', { reason: 'method_not_allowed', status: 405, eventId: undefined, eventName: undefined }]]);
    });
  }
  it('HEAD → 405 with no body', async () => {
    const h = harness();
    const url = await host.start(h.handler);
    const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5_000) });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.text()).toBe('');
  });
});

// -------------------------------------------------------------------------------- hostile headers

describe.each(allHosts.map((host) => [host.name, host] as [string, Host]))('hostile headers on %s', (_name, host) => {
  let url: string;
  const h = harness();
  beforeAll(async () => {
    url = await host.start(h.handler);
  });

  it('a repeated signature header: one forged, one genuine → processed', async () => {
    const body = delivery(`rep-sig-${host.name}`);
    const good = signPayload(body, SECRET);
    const answer = await rawRequest(url, [
      {
        bytes:
          requestHead(url, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            [TS_H]: good[TS_H]!,
          }).replace(/\r\n\r\n$/, `\r\n${SIG_H}: ${'0'.repeat(64)}\r\n${SIG_H}: ${good[SIG_H]}\r\n\r\n`) + body,
      },
    ]);
    expectAnswer(answer, 200, 'processed');
  });

  it('repeated forged signature headers → 401 signature_mismatch', async () => {
    const body = delivery(`rep-forged-${host.name}`);
    const good = signPayload(body, SECRET);
    const answer = await rawRequest(url, [
      {
        bytes:
          requestHead(url, { 'content-length': Buffer.byteLength(body), [TS_H]: good[TS_H]! }).replace(
            /\r\n\r\n$/,
            `\r\n${SIG_H}: ${'1'.repeat(64)}\r\n${SIG_H}: ${'2'.repeat(64)}\r\n\r\n`,
          ) + body,
      },
    ]);
    expectAnswer(answer, 401, 'signature_mismatch');
  });

  it('repeated timestamp headers with differing values → 401 malformed_timestamp', async () => {
    const body = delivery(`rep-ts-${host.name}`);
    const good = signPayload(body, SECRET);
    const answer = await rawRequest(url, [
      {
        bytes:
          requestHead(url, { 'content-length': Buffer.byteLength(body), [SIG_H]: good[SIG_H]! }).replace(
            /\r\n\r\n$/,
            `\r\n${TS_H}: ${good[TS_H]}\r\n${TS_H}: ${Number(good[TS_H]) + 1}\r\n\r\n`,
          ) + body,
      },
    ]);
    expectAnswer(answer, 401, 'malformed_timestamp');
  });

  it('non-ASCII bytes in the signature header → 401 malformed_signature; in an unrelated header → processed', async () => {
    const body = delivery(`non-ascii-${host.name}`);
    const good = signPayload(body, SECRET);
    const head = (extra: string) =>
      Buffer.concat([
        Buffer.from(requestHead(url, { 'content-length': Buffer.byteLength(body), [TS_H]: good[TS_H]! }).replace(/\r\n\r\n$/, '\r\n')),
        Buffer.from(extra, 'latin1'),
        Buffer.from(`\r\n\r\n${body}`),
      ]);
    const bad = await rawRequest(url, [{ bytes: head(`${SIG_H}: ${good[SIG_H]!.slice(0, 62)}\xff\xe9`) }]);
    expectAnswer(bad, 401, 'malformed_signature');
    const fine = await rawRequest(url, [{ bytes: head(`${SIG_H}: ${good[SIG_H]}\r\nx-note: caf\xe9 \xff ${HEADER_MARK}`) }]);
    expectAnswer(fine, 200, 'processed');
    expectPrivate(h, [bad, fine]);
  });

  it('an empty signature header is not a setup ping → 401 missing_signature', async () => {
    const body = delivery(`empty-sig-${host.name}`);
    const answer = await post(url, body, { ...signedHeaders(body), [SIG_H]: '' });
    expectAnswer(answer, 401, 'missing_signature');
  });

  it('a signature header of 180 forged entries (12 KB) → 401 without running anything', async () => {
    const body = delivery(`huge-sig-${host.name}`);
    const answer = await post(url, body, { ...signedHeaders(body), [SIG_H]: Array(180).fill('f'.repeat(64)).join(',') });
    expectAnswer(answer, 401, 'signature_mismatch');
    expect(h.runs).not.toContain(`huge-sig-${host.name}`);
  });
});

// ------------------------------------------------------------------------- concurrency / idempotency

type StoreFactory = { name: string; make: () => Promise<{ store: SeenEventStore; cleanup: () => Promise<void> } | undefined> };

const storeFactories: StoreFactory[] = [
  { name: 'memory', make: async () => ({ store: new MemorySeenEventStore(), cleanup: async () => undefined }) },
  {
    name: 'redis (node-redis)',
    make: async () => {
      if (await serverMissing('Redis')) return undefined;
      const keyPrefix = `${uniqueName('hostile')}:`;
      const client: TestRedisClient = await connectRedis('node-redis');
      return {
        store: new RedisSeenEventStore(client.client, { keyPrefix }),
        cleanup: async () => {
          await client.deleteByPrefix(keyPrefix);
          await client.close();
        },
      };
    },
  },
  {
    name: 'postgres',
    make: async () => {
      if (await serverMissing('PostgreSQL')) return undefined;
      const table = uniqueName('hostile');
      const pool = new pg.Pool({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000, max: 20 });
      const store = new PostgresSeenEventStore(pool, { table });
      await store.createTable();
      return {
        store,
        cleanup: async () => {
          await pool.query(`DROP TABLE IF EXISTS "${table}", "${table}_applied"`);
          await pool.end();
        },
      };
    },
  },
];

describe.each(storeFactories.map((f) => [f.name, f] as [string, StoreFactory]))('racing duplicates with the %s store', (_name, factory) => {
  it('50 concurrent deliveries of one id: exactly one run; the others 409 in_flight or 200 duplicate; never 2xx before the work ended', async () => {
    const made = await factory.make();
    if (!made) return;
    try {
      let finished = false;
      const h = harness({
        store: made.store,
        work: async () => {
          await sleep(300);
          finished = true;
        },
      });
      const url = await nodeHttpHost.start(h.handler);
      const body = delivery(`race-${uniqueName('id')}`);
      const headers = signedHeaders(body);
      const answers = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const answer = await post(url, body, headers);
          // A 2xx answered while the first copy was still running would lose the event if that copy failed.
          if (answer.status === 200) expect(finished).toBe(true);
          return answer;
        }),
      );
      expect(h.runs).toHaveLength(1);
      const outcomes = answers.map((a) => (a.status === 200 ? outcomeOf(a) : reasonOf(a)));
      expect(outcomes.filter((o) => o === 'processed')).toHaveLength(1);
      for (const o of outcomes) expect(['processed', 'in_flight', 'duplicate']).toContain(o);
      for (const a of answers) {
        if (a.status === 409) expect(reasonOf(a)).toBe('in_flight');
        else expect(a.status).toBe(200);
      }
      // Afterwards every copy is a duplicate.
      const late = await Promise.all(Array.from({ length: 10 }, () => post(url, body, headers)));
      for (const a of late) expectAnswer(a, 200, 'duplicate');
      expect(h.runs).toHaveLength(1);
      expectPrivate(h, [...answers, ...late]);
    } finally {
      await made.cleanup();
    }
  });

  it('50 concurrent deliveries whose work fails: no 2xx at all, the claim is released, then one retry processes it', async () => {
    const made = await factory.make();
    if (!made) return;
    try {
      let fail = true;
      const h = harness({
        store: made.store,
        work: async () => {
          await sleep(100);
          if (fail) throw new Error('downstream unavailable');
        },
      });
      const url = await nodeHttpHost.start(h.handler);
      const body = delivery(`race-fail-${uniqueName('id')}`);
      const headers = signedHeaders(body);
      const answers = await Promise.all(Array.from({ length: 50 }, () => post(url, body, headers)));
      for (const a of answers) expect(a.status).not.toBe(200);
      const outcomes = answers.map(reasonOf);
      for (const o of outcomes) expect(['handler_failed', 'in_flight']).toContain(o);
      // Runs may repeat only after a failed run released the claim: never two at once.
      expect(outcomes.filter((o) => o === 'handler_failed').length).toBe(h.runs.length);
      fail = false;
      expectAnswer(await post(url, body, headers), 200, 'processed');
      expectAnswer(await post(url, body, headers), 200, 'duplicate');
      expectPrivate(h, answers);
    } finally {
      await made.cleanup();
    }
  });

  it('ids differing by case or NFC/NFD, with newlines, emoji, colons or glob characters are each processed once', async () => {
    const made = await factory.make();
    if (!made) return;
    try {
      const h = harness({ store: made.store });
      const url = await nodeHttpHost.start(h.handler);
      const salt = uniqueName('v');
      const ids = [`${salt}-Ab`, `${salt}-aB`, `${salt}-caf\u00e9`, `${salt}-cafe\u0301`, `${salt}-line\nbreak`, `${salt}-🦄`, `${salt}:event:x`, `${salt}*?[]`];
      for (const id of ids) {
        expectAnswer(await deliver(url, delivery(id)), 200, 'processed');
      }
      for (const id of ids) expectAnswer(await deliver(url, delivery(id)), 200, 'duplicate');
      expect(h.runs).toEqual(ids);
    } finally {
      await made.cleanup();
    }
  });
});

// ---------------------------------------------------------------------- hostile handlers and hooks

describe('hostile handlers, hooks and stores (node:http)', () => {
  for (const [label, thrown] of [
    ['a string', 'handler blew up'],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object with a throwing toString', { toString: () => { throw new Error('nope'); } }],
  ] as Array<[string, unknown]>) {
    it(`a handler that throws ${label} → 500 handler_failed, claim released, retry runs it`, async () => {
      let attempt = 0;
      const h = harness({
        work: () => {
          attempt += 1;
          if (attempt === 1) throw thrown;
        },
      });
      const url = await nodeHttpHost.start(h.handler);
      const body = delivery(`throws-${label}`);
      const first = await deliver(url, body);
      expectAnswer(first, 500, 'handler_failed');
      const failed = h.hooks.find(([name]) => name === 'onFailed')![1];
      expect(failed['reason']).toBe('handler_failed');
      expect(failed['status']).toBe(500);
      expect(failed['error']).toBe(thrown);
      expectAnswer(await deliver(url, body), 200, 'processed');
      expect(h.runs).toHaveLength(2);
    });
  }

  it('a handler that rejects with undefined → 500 handler_failed', async () => {
    const h = harness({ work: () => Promise.reject(undefined) });
    const url = await nodeHttpHost.start(h.handler);
    expectAnswer(await deliver(url, delivery('rejects-undefined')), 500, 'handler_failed');
  });

  it('a handler that never settles: the provider gets no answer, and every retry meanwhile is 409 (the lease is renewed, never 2xx)', async () => {
    const h = harness({ work: () => new Promise(() => undefined), leaseMs: 90 });
    const url = await nodeHttpHost.start(h.handler);
    const body = delivery('never-settles');
    const controller = new AbortController();
    const hung = fetch(url, { method: 'POST', body, headers: signedHeaders(body), signal: controller.signal }).catch((e: unknown) => e);
    await until(() => h.runs.length === 1);
    for (let i = 0; i < 4; i++) {
      await sleep(120); // past a whole lease length each time
      expectAnswer(await deliver(url, body), 409, 'in_flight');
    }
    controller.abort();
    expect(await hung).toBeInstanceOf(Error);
    expect(h.runs).toHaveLength(1);
  });

  it('a handler that ignores a lost lease: complete fails quietly; the provider still gets 2xx only after the work', async () => {
    // The lease runs out because extend reports it lost; the work still completes.
    const store = new MemorySeenEventStore();
    const losing: SeenEventStore = {
      claim: (id, ms) => store.claim(id, ms),
      complete: (id, token, ms) => store.complete(id, token, ms),
      release: (id, token) => store.release(id, token),
      extend: async () => false,
    };
    let aborted = false;
    const h = harness({
      store: losing,
      leaseMs: 30,
      work: async (_event, ctx) => {
        await sleep(120);
        aborted = ctx.signal.aborted;
      },
    });
    const url = await nodeHttpHost.start(h.handler);
    const answer = await deliver(url, delivery('lost-lease'));
    expectAnswer(answer, 200, 'processed');
    expect(aborted).toBe(true);
  });

  it('hooks that throw, return rejected promises or throw non-Errors never change the answer', async () => {
    const boom = () => {
      throw new Error('hook exploded');
    };
    const reject = () => Promise.reject(new Error('hook rejected'));
    const throwString = () => {
      throw 'string from hook';
    };
    const thenableThatThrows = () => ({
      then() {
        throw new Error('bad thenable');
      },
    });
    for (const hook of [boom, reject, throwString, thenableThatThrows]) {
      const hooks = Object.fromEntries(HOOK_NAMES.map((n) => [n, hook]));
      let fail = false;
      const h = harness({
        extra: hooks,
        work: () => {
          if (fail) throw new Error('work failed');
        },
      });
      const url = await nodeHttpHost.start(h.handler);
      const id = `hooks-${hook.name}`;
      expectAnswer(await deliver(url, delivery(id)), 200, 'processed');
      expectAnswer(await deliver(url, delivery(id)), 200, 'duplicate');
      expectAnswer(await deliver(url, delivery(`${id}-other`, 'ticket.other')), 200, 'ignored');
      expectAnswer(await post(url, delivery(id), { 'content-type': 'application/json' }), 200, 'ping');
      expectAnswer(await post(url, delivery(id), { [SIG_H]: 'zz', [TS_H]: '1' }), 401, 'malformed_signature');
      fail = true;
      expectAnswer(await deliver(url, delivery(`${id}-fails`)), 500, 'handler_failed');
    }
  });

  const storeCases: Array<[string, Partial<SeenEventStore>, number, string]> = [
    ['claim throws synchronously', { claim: () => { throw new Error('sync claim'); } }, 503, 'store_unavailable'],
    ['claim rejects', { claim: () => Promise.reject(new Error('claim down')) }, 503, 'store_unavailable'],
    ['claim rejects with a non-Error', { claim: () => Promise.reject('down') }, 503, 'store_unavailable'],
  ];
  for (const [label, override, status, reason] of storeCases) {
    it(`a store whose ${label} → ${status} ${reason}`, async () => {
      const inner = new MemorySeenEventStore();
      const store: SeenEventStore = {
        claim: (id, ms) => inner.claim(id, ms),
        complete: (id, t, ms) => inner.complete(id, t, ms),
        release: (id, t) => inner.release(id, t),
        extend: (id, t, ms) => inner.extend(id, t, ms),
        ...override,
      };
      const h = harness({ store });
      const url = await nodeHttpHost.start(h.handler);
      const answer = await deliver(url, delivery(`store-${label}`));
      expectAnswer(answer, status, reason);
      expect(h.runs).toEqual([]);
      const failed = h.hooks.find(([name]) => name === 'onFailed')![1];
      expect(failed['reason']).toBe('store_unavailable');
      expect(failed['status']).toBe(503);
      expectPrivate(h, [answer]);
    });
  }

  it('a store whose complete keeps failing: the work ran, so 200 processed with recorded:false and onFailed 200', async () => {
    const inner = new MemorySeenEventStore();
    let completes = 0;
    const store: SeenEventStore = {
      claim: (id, ms) => inner.claim(id, ms),
      complete: () => {
        completes += 1;
        throw new Error('sync complete failure');
      },
      release: (id, t) => inner.release(id, t),
      extend: (id, t, ms) => inner.extend(id, t, ms),
    };
    const h = harness({ store });
    const url = await nodeHttpHost.start(h.handler);
    const answer = await deliver(url, delivery('complete-fails'));
    expectAnswer(answer, 200, 'processed');
    expect(completes).toBe(3);
    expect(h.runs).toEqual(['complete-fails']);
    const processed = h.hooks.find(([name]) => name === 'onProcessed')![1];
    expect(processed['recorded']).toBe(false);
    const failed = h.hooks.find(([name]) => name === 'onFailed')![1];
    expect(failed['status']).toBe(200);
    expect(failed['reason']).toBe('store_unavailable');
    expectPrivate(h, [answer]);
  });

  it('a store whose release fails after the work threw: still 500, never 2xx', async () => {
    const inner = new MemorySeenEventStore();
    const store: SeenEventStore = {
      claim: (id, ms) => inner.claim(id, ms),
      complete: (id, t, ms) => inner.complete(id, t, ms),
      release: () => Promise.reject(new Error('release down')),
      extend: (id, t, ms) => inner.extend(id, t, ms),
    };
    const h = harness({
      store,
      work: () => {
        throw new Error('work failed');
      },
    });
    const url = await nodeHttpHost.start(h.handler);
    expectAnswer(await deliver(url, delivery('release-fails')), 500, 'handler_failed');
    // The claim is still held until the lease runs out: the retry is told to come back later.
    expectAnswer(await deliver(url, delivery('release-fails')), 409, 'in_flight');
  });

  it('a memory store full of in-flight claims → 503 store_unavailable, never a run without a claim', async () => {
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const h = harness({ store: new MemorySeenEventStore({ maxEntries: 2 }), work: () => gate });
    const url = await nodeHttpHost.start(h.handler);
    const pending = [deliver(url, delivery('full-1')), deliver(url, delivery('full-2'))];
    await until(() => h.runs.length === 2);
    expectAnswer(await deliver(url, delivery('full-3')), 503, 'store_unavailable');
    finish();
    for (const a of await Promise.all(pending)) expectAnswer(a, 200, 'processed');
    expectAnswer(await deliver(url, delivery('full-3')), 200, 'processed');
  });
});

// ----------------------------------------------------------------------------------------- Lambda

describe('hostile Lambda events', () => {
  const h = harness();
  const lambda = createLambdaHandler(h.handler, { bodyLimit: 1024 });

  it('a base64 body with junk characters, a body over the limit, and methods in any case', async () => {
    const body = delivery('lambda-1');
    const headers = signedHeaders(body);
    const ok = await lambda({ requestContext: { http: { method: 'post' } }, headers, body: Buffer.from(body).toString('base64'), isBase64Encoded: true });
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ ok: true, outcome: 'processed' });
    const big = 'x'.repeat(2048);
    const tooBig = await lambda({ httpMethod: 'POST', headers: signedHeaders(big), body: big });
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.headers['connection']).toBeUndefined();
    const get = await lambda({ httpMethod: 'get', headers, body });
    expect(get.statusCode).toBe(405);
    const nullBody = await lambda({ httpMethod: 'POST', headers: null, body: null });
    expect(JSON.parse(nullBody.body)).toEqual({ ok: true, outcome: 'ping' });
    // multiValueHeaders win: a forged single-value header does not hide a genuine repeated one.
    const body2 = delivery('lambda-2');
    const headers2 = signedHeaders(body2);
    const multi = await lambda({
      httpMethod: 'POST',
      headers: { [SIG_H]: '0'.repeat(64), [TS_H]: headers2[TS_H]! },
      multiValueHeaders: { [SIG_H]: ['0'.repeat(64), headers2[SIG_H]!], [TS_H]: [headers2[TS_H]!] },
      body: body2,
    });
    expect(JSON.parse(multi.body)).toEqual({ ok: true, outcome: 'processed' });
    expectPrivate(h, []);
  });
});
