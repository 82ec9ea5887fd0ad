// The fetch adapter with Node's own Request and Response (the same classes Next.js route handlers get).
import { describe, expect, it } from 'vitest';
import { createFetchHandler } from 'allthings-webhooks/fetch';
import { envelope, signed } from '../integration/support/http.js';
import { recordingHandler } from '../integration/support/scenarios.js';

const URL_ = 'https://receiver.example/webhooks';

function stream(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
}

describe('createFetchHandler with Node Request objects', () => {
  it('answers a signed Request with a JSON Response and runs the handler once', async () => {
    const { handler, seen } = recordingHandler();
    const receive = createFetchHandler(handler);
    const body = envelope('evt_fetch_1');
    const response = await receive(new Request(URL_, { method: 'POST', headers: signed(body), body }));
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, outcome: 'processed' });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(seen.completed).toBe(1);
  });

  it('verifies a streamed body split inside a multi-byte character', async () => {
    const { handler, seen } = recordingHandler();
    const body = envelope('evt_fetch_2', 'ticket.created', { title: 'Kältetechnik €' });
    const bytes = new TextEncoder().encode(body);
    const cut = bytes.indexOf(0xe2) + 1;
    const request = new Request(URL_, {
      method: 'POST',
      headers: signed(body),
      body: stream([bytes.slice(0, cut), bytes.slice(cut)]),
      duplex: 'half',
    } as RequestInit);
    expect((await createFetchHandler(handler)(request)).status).toBe(200);
    expect(seen.data).toEqual([{ title: 'Kältetechnik €' }]);
  });

  it('answers 500 body_already_parsed when the body was already read (bodyUsed)', async () => {
    const { handler, seen } = recordingHandler();
    const body = envelope('evt_fetch_3');
    const request = new Request(URL_, { method: 'POST', headers: signed(body), body });
    await request.json();
    const response = await createFetchHandler(handler)(request);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ ok: false, reason: 'body_already_parsed' });
    expect(seen.started).toBe(0);
  });

  it('answers 413 for a declared or streamed body over the limit, without a Connection header', async () => {
    const { handler } = recordingHandler();
    const receive = createFetchHandler(handler, { bodyLimit: 100 });
    const body = envelope('evt_fetch_4', 'ticket.created', 'x'.repeat(200));
    const declared = await receive(new Request(URL_, { method: 'POST', headers: signed(body), body }));
    expect(declared.status).toBe(413);
    expect(declared.headers.get('connection')).toBeNull();
    const bytes = new TextEncoder().encode(body);
    const streamed = await receive(
      new Request(URL_, { method: 'POST', headers: signed(body), body: stream([bytes.slice(0, 80), bytes.slice(80)]), duplex: 'half' } as RequestInit),
    );
    expect(streamed.status).toBe(413);
  });

  it('answers 405 with Allow: POST to other methods, and 200 to an unsigned ping', async () => {
    const { handler, seen } = recordingHandler();
    const receive = createFetchHandler(handler);
    const get = await receive(new Request(URL_));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const ping = await receive(new Request(URL_, { method: 'POST', body: '{}' }));
    expect(ping.status).toBe(200);
    expect(seen.started).toBe(0);
  });

  it('throws TypeError for a missing handler or a bad bodyLimit', () => {
    expect(() => createFetchHandler(undefined as never)).toThrow(/createWebhookHandler/);
    expect(() => createFetchHandler(recordingHandler().handler, { bodyLimit: -1 })).toThrow(TypeError);
  });
});
