// Hooks, errors and responses carry ids, names, reasons and timings: never payload content, header values
// or secrets. Every hook and every failure path is driven with markers in the body, the headers and the
// secret, and nothing the library produces may contain one.
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { createWebhookHandler, MemorySeenEventStore, signPayload, type SeenEventStore } from 'allthings-webhooks';
import { createNodeListener } from 'allthings-webhooks/node';
import { connectStyle, listen } from '../integration/support/hosts.js';
import { post, rawRequest, requestHead } from '../integration/support/http.js';

const BODY_MARKER = 'BODYMARKER7f3a';
const SECRET_MARKER = 'SECRETMARKER91c2';
const HEADER_MARKER = 'HEADERMARKER55d0';
const MARKERS = [BODY_MARKER, SECRET_MARKER, HEADER_MARKER];
const NOW = 1_764_000_000_000;

/** JSON of anything, with errors expanded (message, code, cause) so that their text is checked too. */
function reveal(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Error ? { name: v.name, message: v.message, code: (v as { code?: unknown }).code, cause: v.cause } : v,
  );
}

function assertClean(label: string, text: string) {
  for (const marker of MARKERS) expect(text, `${label} contains ${marker}`).not.toContain(marker);
}

const body = (id: string, name = 'ticket.created', createdDate = '2026-01-02T00:00:00Z') =>
  JSON.stringify({ event: { id, name, urn: 'urn:ticket:1', createdDate, data: { note: BODY_MARKER } } });
const headersFor = (raw: string, extra: Record<string, string> = {}) => ({
  ...signPayload(raw, SECRET_MARKER, { timestamp: NOW }),
  'x-custom': HEADER_MARKER,
  authorization: `Bearer ${HEADER_MARKER}`,
  ...extra,
});

const downStore: SeenEventStore = {
  claim: () => Promise.reject(new Error('connection refused')),
  complete: () => Promise.reject(new Error('connection refused')),
  release: () => Promise.reject(new Error('connection refused')),
  extend: () => Promise.reject(new Error('connection refused')),
};

const closers: Array<() => Promise<void>> = [];
afterAll(() => Promise.all(closers.map((close) => close())));

describe('privacy of hooks, errors and responses', () => {
  it('never exposes payload, header values or secrets, on any path', async () => {
    const hookCalls: Array<[string, unknown]> = [];
    const record = (name: string) => (info: unknown) => void hookCalls.push([name, info]);
    const hooks = {
      onProcessed: record('onProcessed'),
      onDuplicate: record('onDuplicate'),
      onIgnored: record('onIgnored'),
      onStale: record('onStale'),
      onRejected: record('onRejected'),
      onFailed: record('onFailed'),
    };
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handler = createWebhookHandler({
      secret: SECRET_MARKER,
      now: NOW,
      staleGuard: { store: new MemorySeenEventStore() },
      on: {
        'ticket.created': async () => undefined,
        'ticket.slow': () => gate,
        'ticket.broken': () => {
          throw new Error('handler failed');
        },
      },
      ...hooks,
    });
    const down = createWebhookHandler({ secret: SECRET_MARKER, now: NOW, store: downStore, on: { 'ticket.created': () => undefined }, ...hooks });
    const responses: string[] = [];
    const send = async (h: typeof handler, raw: string, headers: Record<string, string>) => {
      const answer = await h.handle({ rawBody: raw, headers });
      responses.push(reveal(answer));
      return answer;
    };

    const ok = body('evt_p1');
    expect((await send(handler, ok, headersFor(ok))).outcome).toBe('processed');
    expect((await send(handler, ok, headersFor(ok))).outcome).toBe('duplicate');
    const old = body('evt_p0', 'ticket.created', '2026-01-01T00:00:00Z');
    expect((await send(handler, old, headersFor(old))).outcome).toBe('stale');
    const slow = body('evt_p2', 'ticket.slow');
    const first = send(handler, slow, headersFor(slow));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await send(handler, slow, headersFor(slow))).outcome).toBe('in_flight');
    release();
    await first;
    const other = body('evt_p3', 'ticket.unknown');
    expect((await send(handler, other, headersFor(other))).outcome).toBe('ignored');
    expect((await send(handler, ok, { 'x-custom': HEADER_MARKER })).outcome).toBe('ping');
    expect((await send(handler, ok.replace('p1', 'p9'), headersFor(ok))).outcome).toBe('signature_mismatch');
    expect((await send(handler, ok, headersFor(ok, { 'x-allthings-signature': HEADER_MARKER }))).outcome).toBe('malformed_signature');
    expect((await send(handler, ok, headersFor(ok, { 'x-allthings-signature-timestamp': HEADER_MARKER }))).outcome).toBe('malformed_timestamp');
    expect((await send(handler, ok, { ...headersFor(ok), ...signPayload(ok, SECRET_MARKER, { timestamp: NOW - 3_600_000 }) })).outcome).toBe('timestamp_too_old');
    const notJson = `{"note":"${BODY_MARKER}"`;
    expect((await send(handler, notJson, headersFor(notJson))).outcome).toBe('invalid_json');
    const noId = JSON.stringify({ event: { name: 'ticket.created', data: BODY_MARKER } });
    expect((await send(handler, noId, headersFor(noId))).outcome).toBe('missing_event_id');
    const noName = JSON.stringify({ event: { id: 'evt_p4', data: BODY_MARKER } });
    expect((await send(handler, noName, headersFor(noName))).outcome).toBe('missing_event_name');
    const broken = body('evt_p5', 'ticket.broken');
    expect((await send(handler, broken, headersFor(broken))).outcome).toBe('handler_failed');
    const unreachable = body('evt_p6');
    expect((await send(down, unreachable, headersFor(unreachable))).outcome).toBe('store_unavailable');
    for (const reason of ['payload_too_large', 'method_not_allowed', 'body_already_parsed', 'request_aborted'] as const) {
      responses.push(reveal(handler.reject(reason)));
    }

    // Over real HTTP through the node adapter: a consumed body, an oversized one, a wrong method.
    const consume = (req: http.IncomingMessage, _res: http.ServerResponse, next: () => void) => {
      req.on('end', next).resume();
    };
    const consumed = await listen(http.createServer(connectStyle(consume, createNodeListener(handler))));
    const limited = await listen(http.createServer(createNodeListener(handler, { bodyLimit: 16 })));
    closers.push(consumed.close, limited.close);
    const { url } = consumed;
    for (const answer of [
      await post(url, ok, headersFor(ok)),
      await rawRequest(limited.url, [{ bytes: requestHead(limited.url, { ...headersFor(ok), 'content-length': ok.length }) }]),
      await fetch(limited.url, { headers: { 'x-custom': HEADER_MARKER } }).then(async (r) => ({ status: r.status, body: await r.text() })),
    ]) {
      responses.push(reveal(answer));
    }

    const seenHooks = new Set(hookCalls.map(([name]) => name));
    expect([...seenHooks].sort()).toEqual(['onDuplicate', 'onFailed', 'onIgnored', 'onProcessed', 'onRejected', 'onStale']);
    for (const [name, info] of hookCalls) assertClean(`hook ${name}`, reveal(info));
    for (const text of responses) assertClean('response', text);
    expect(responses.length).toBeGreaterThan(20);
  });

  it('keeps markers out of TypeErrors for programming mistakes', () => {
    const messages: string[] = [];
    for (const options of [
      { secret: ` ${SECRET_MARKER} `, on: {} },
      { secret: SECRET_MARKER, on: { [HEADER_MARKER]: BODY_MARKER } },
      { secret: SECRET_MARKER, on: {}, store: { [BODY_MARKER]: 1 } },
    ]) {
      try {
        createWebhookHandler(options as never);
      } catch (error) {
        messages.push((error as Error).message);
      }
    }
    expect(messages).toHaveLength(3);
    for (const message of messages) {
      expect(message).not.toContain(SECRET_MARKER);
      expect(message).not.toContain(BODY_MARKER);
    }
  });
});
