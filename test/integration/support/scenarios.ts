// One scenario suite, run against every host: the same real signed HTTP requests must get the same answers
// from node:http, Express 4 and 5, a Connect-style chain, Fastify, Koa and Hono.
import { afterAll, describe, expect, it } from 'vitest';
import { createWebhookHandler, type IgnoredInfo, type WebhookHandlerOptions } from 'allthings-webhooks';
import { deliver, envelope, post, rawRequest, requestHead, signed } from './http.js';
import type { Host } from './hosts.js';

const SECRET = 'whsec_integration_test_secret';
const LIMIT = 1024;

/** A handler whose `ticket.created` runs count and whose behaviour a scenario can change. */
export function recordingHandler(overrides: Partial<WebhookHandlerOptions> = {}) {
  const seen = { started: 0, completed: 0, data: [] as unknown[], ignored: [] as IgnoredInfo[] };
  let behaviour: (attempt: number) => Promise<void> = async () => undefined;
  const handler = createWebhookHandler({
    secret: SECRET,
    on: {
      'ticket.created': async (event) => {
        seen.started++;
        seen.data.push(event.data);
        await behaviour(seen.started);
        seen.completed++;
      },
    },
    onIgnored: (info) => {
      seen.ignored.push(info);
    },
    ...overrides,
  });
  return {
    handler,
    seen,
    behave(next: (attempt: number) => Promise<void>) {
      behaviour = next;
    },
  };
}

let counter = 0;
const nextId = () => `evt_${process.pid}_${++counter}`;

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** Runs every scenario against one host. */
export function describeHostScenarios(host: Host): void {
  describe(`webhook scenarios on ${host.name}`, () => {
    afterAll(() => host.closeAll());

    it('answers 200 to a valid delivery and runs the handler once', async () => {
      const { handler, seen } = recordingHandler();
      const url = await host.start(handler);
      const answer = await deliver(url, envelope(nextId()));
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ ok: true, outcome: 'processed' });
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(seen.completed).toBe(1);
      expect(seen.data).toEqual([{ title: 'Leaking tap' }]);
    });

    it('answers 401 to a tampered body and does not run the handler', async () => {
      const { handler, seen } = recordingHandler();
      const url = await host.start(handler);
      const body = envelope(nextId());
      const answer = await post(url, body.replace('Leaking', 'Leaky'), signed(body));
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toEqual({ ok: false, reason: 'signature_mismatch' });
      expect(seen.started).toBe(0);
    });

    it('answers 200 to a duplicate without running the handler again', async () => {
      const { handler, seen } = recordingHandler();
      const url = await host.start(handler);
      const body = envelope(nextId());
      expect((await deliver(url, body)).status).toBe(200);
      const again = await deliver(url, body);
      expect(again.status).toBe(200);
      expect(JSON.parse(again.body)).toEqual({ ok: true, outcome: 'duplicate' });
      expect(seen.started).toBe(1);
    });

    it('answers 409 to a duplicate while the first delivery is still in flight', async () => {
      const { handler, seen, behave } = recordingHandler();
      const url = await host.start(handler);
      const started = gate();
      const release = gate();
      behave(async () => {
        started.open();
        await release.opened;
      });
      const body = envelope(nextId());
      const first = deliver(url, body);
      await started.opened;
      const second = await deliver(url, body);
      expect(second.status).toBe(409);
      expect(JSON.parse(second.body)).toEqual({ ok: false, reason: 'in_flight' });
      release.open();
      expect((await first).status).toBe(200);
      expect(seen.started).toBe(1);
      expect(seen.completed).toBe(1);
    });

    it('answers 500 when the handler throws, then 200 to the retry, completing once', async () => {
      const { handler, seen, behave } = recordingHandler();
      const url = await host.start(handler);
      behave(async (attempt) => {
        if (attempt === 1) throw new Error('database down');
      });
      const body = envelope(nextId());
      const failed = await deliver(url, body);
      expect(failed.status).toBe(500);
      expect(JSON.parse(failed.body)).toEqual({ ok: false, reason: 'handler_failed' });
      const retry = await deliver(url, body);
      expect(retry.status).toBe(200);
      expect(seen.started).toBe(2);
      expect(seen.completed).toBe(1);
    });

    it('acknowledges an event type without a handler (200) and reports it as ignored', async () => {
      const { handler, seen } = recordingHandler();
      const url = await host.start(handler);
      const id = nextId();
      const answer = await deliver(url, envelope(id, 'ticket.deleted'));
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ ok: true, outcome: 'ignored' });
      expect(seen.started).toBe(0);
      expect(seen.ignored).toEqual([{ reason: 'unhandled_event', eventId: id, eventName: 'ticket.deleted' }]);
    });

    it('answers 200 to an unsigned setup ping without processing it', async () => {
      const { handler, seen } = recordingHandler();
      const url = await host.start(handler);
      const answer = await post(url, envelope(nextId()), { 'content-type': 'application/json' });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ ok: true, outcome: 'ping' });
      expect(seen.started).toBe(0);
    });

    it('answers 413 to a declared oversized body before the body is sent', async () => {
      const { handler, seen } = recordingHandler();
      const url = await host.start(handler, { bodyLimit: LIMIT });
      const body = envelope(nextId(), 'ticket.created', 'x'.repeat(LIMIT));
      // Only the head is written: the answer must come without the server waiting for the body.
      const answer = await rawRequest(url, [
        { bytes: requestHead(url, { ...signed(body), 'content-length': Buffer.byteLength(body) }) },
        { bytes: body, pauseBefore: 4_000 },
      ]);
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toEqual({ ok: false, reason: 'payload_too_large' });
      expect(seen.started).toBe(0);
    });

    it('answers 413 to a chunked body once it passes the limit, without reading the rest', async () => {
      const { handler, seen } = recordingHandler();
      const url = await host.start(handler, { bodyLimit: LIMIT });
      const body = envelope(nextId(), 'ticket.created', 'x'.repeat(LIMIT * 2));
      const bytes = Buffer.from(body);
      const first = bytes.subarray(0, LIMIT + 100);
      const answer = await rawRequest(url, [
        { bytes: requestHead(url, { ...signed(body), 'transfer-encoding': 'chunked' }) },
        { bytes: `${first.length.toString(16)}\r\n`, pauseBefore: 10 },
        { bytes: first },
        { bytes: '\r\n' },
        // Never sent unless the server waits for it (it must not): the answer comes first.
        { bytes: `${(bytes.length - first.length).toString(16)}\r\n`, pauseBefore: 4_000 },
      ]);
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toEqual({ ok: false, reason: 'payload_too_large' });
      expect(seen.started).toBe(0);
    });

    it('verifies a body whose multi-byte character is split across TCP writes', async () => {
      const { handler, seen } = recordingHandler();
      const url = await host.start(handler);
      const body = envelope(nextId(), 'ticket.created', { title: 'Heizung defekt: 20 € Selbstbehalt 🔧' });
      const bytes = Buffer.from(body);
      const euro = bytes.indexOf(Buffer.from('€'));
      const head = requestHead(url, { ...signed(body), 'content-length': bytes.length });
      const answer = await rawRequest(url, [
        { bytes: head },
        { bytes: bytes.subarray(0, euro + 1), pauseBefore: 20 },
        { bytes: bytes.subarray(euro + 1), pauseBefore: 50 },
      ]);
      expect(answer.status).toBe(200);
      expect(seen.data).toEqual([{ title: 'Heizung defekt: 20 € Selbstbehalt 🔧' }]);
    });
  });
}
