import { describe, expect, it } from 'vitest';
import {
  createWebhookHandler,
  MemorySeenEventStore,
  signPayload,
  type SeenEventStore,
  type WebhookHandlerOptions,
} from 'allthings-webhooks';
import { verifyPayload as verifyWithWebCrypto } from 'allthings-webhooks/web';

const secret = 'whsec_handler_unit';
const NOW = 1_764_000_000_000;

function body(id: unknown = 'evt_1', name: unknown = 'ticket.created', extra: Record<string, unknown> = {}) {
  return JSON.stringify({ event: { id, name, urn: 'urn:ticket:1', createdDate: '2026-01-01T00:00:00Z', data: { n: 1 }, ...extra } });
}
function request(raw: string, headers = signPayload(raw, secret, { timestamp: NOW })) {
  return { rawBody: raw, headers };
}

function make(options: Partial<WebhookHandlerOptions> = {}) {
  const runs: string[] = [];
  const defaults: WebhookHandlerOptions = {
    secret,
    now: NOW,
    on: { 'ticket.created': async (event) => void runs.push(event.id) },
  };
  return { handler: createWebhookHandler({ ...defaults, ...options }), runs };
}

/** A store whose backend is down: every call rejects. */
class DownStore implements SeenEventStore {
  claim = () => Promise.reject(new Error('ECONNREFUSED'));
  complete = () => Promise.reject(new Error('ECONNREFUSED'));
  release = () => Promise.reject(new Error('ECONNREFUSED'));
  extend = () => Promise.reject(new Error('ECONNREFUSED'));
}

describe('createWebhookHandler: status codes', () => {
  it('answers 200 processed and passes the verified event and context to the handler', async () => {
    let seen: unknown;
    const { handler } = make({
      on: { 'ticket.created': (event, ctx) => void (seen = { event, ctx: { ...ctx, signal: typeof ctx.signal } }) },
    });
    const answer = await handler.handle(request(body()));
    expect(answer).toMatchObject({ status: 200, body: '{"ok":true,"outcome":"processed"}', outcome: 'processed' });
    expect(seen).toMatchObject({
      event: { id: 'evt_1', name: 'ticket.created', urn: 'urn:ticket:1', createdDate: '2026-01-01T00:00:00Z', data: { n: 1 } },
      ctx: { eventId: 'evt_1', eventName: 'ticket.created', signedAt: NOW, signal: 'object' },
    });
  });

  it('answers 401 with the verification reason', async () => {
    const { handler, runs } = make();
    const raw = body();
    const stale = await handler.handle(request(raw, signPayload(raw, secret, { timestamp: NOW - 301_000 })));
    expect(stale).toMatchObject({ status: 401, body: '{"ok":false,"reason":"timestamp_too_old"}' });
    const wrong = await handler.handle(request(raw, signPayload(raw, 'another-secret', { timestamp: NOW })));
    expect(wrong.body).toBe('{"ok":false,"reason":"signature_mismatch"}');
    expect(runs).toEqual([]);
  });

  it('answers 200 to an unsigned ping, or 401 missing_signature with unsignedPing: reject', async () => {
    expect((await make().handler.handle(request(body(), {} as never))).outcome).toBe('ping');
    const strict = make({ unsignedPing: 'reject' });
    const answer = await strict.handler.handle(request(body(), {} as never));
    expect(answer).toMatchObject({ status: 401, outcome: 'missing_signature' });
    expect(strict.runs).toEqual([]);
  });

  it('treats an empty signature header as a failed verification, not as a ping', async () => {
    const answer = await make().handler.handle(request(body(), { 'x-allthings-signature': '', 'x-allthings-signature-timestamp': String(NOW) }));
    expect(answer).toMatchObject({ status: 401, outcome: 'missing_signature' });
  });

  it('answers 400 to invalid JSON, a missing id and a missing name', async () => {
    const { handler } = make();
    expect((await handler.handle(request('{"event":'))).body).toBe('{"ok":false,"reason":"invalid_json"}');
    expect((await handler.handle(request('[1,2]'))).outcome).toBe('missing_event_id');
    expect((await handler.handle(request(body('')))).outcome).toBe('missing_event_id');
    expect((await handler.handle(request(body('x'.repeat(513))))).outcome).toBe('missing_event_id');
    expect((await handler.handle(request(body('evt_2', 42)))).outcome).toBe('missing_event_name');
    expect((await handler.handle(request(body('evt_2', 42)))).status).toBe(400);
  });

  it('acknowledges unhandled names, including Object.prototype names, without claiming them', async () => {
    const store = new MemorySeenEventStore();
    const { handler } = make({ store });
    for (const name of ['ticket.deleted', 'constructor', '__proto__', 'toString']) {
      expect((await handler.handle(request(body(`evt_${name}`, name)))).outcome).toBe('ignored');
    }
    expect(store.size).toBe(0);
  });

  it('answers 500 when the handler throws and 200 to the retry', async () => {
    let attempt = 0;
    const { handler } = make({ on: { 'ticket.created': () => { if (++attempt === 1) throw new Error('boom'); } } });
    expect((await handler.handle(request(body()))).status).toBe(500);
    expect((await handler.handle(request(body()))).status).toBe(200);
    expect((await handler.handle(request(body()))).outcome).toBe('duplicate');
  });

  it('answers 503 without running the handler when the store is down', async () => {
    const { handler, runs } = make({ store: new DownStore() });
    expect(await handler.handle(request(body()))).toMatchObject({ status: 503, body: '{"ok":false,"reason":"store_unavailable"}' });
    expect(runs).toEqual([]);
  });

  it('answers 200 when the work completed but the store could not record it (a retry would repeat it)', async () => {
    const memory = new MemorySeenEventStore();
    const store: SeenEventStore = {
      claim: (id, lease) => memory.claim(id, lease),
      release: (id, token) => memory.release(id, token),
      extend: (id, token, lease) => memory.extend(id, token, lease),
      complete: () => Promise.reject(new Error('write timeout')),
    };
    const failed: unknown[] = [];
    const processed: unknown[] = [];
    const { handler, runs } = make({ store, onFailed: (i) => failed.push(i), onProcessed: (i) => processed.push(i) });
    expect((await handler.handle(request(body()))).outcome).toBe('processed');
    expect(runs).toEqual(['evt_1']);
    expect(failed).toMatchObject([{ reason: 'store_unavailable', status: 200, eventId: 'evt_1' }]);
    expect(processed).toMatchObject([{ eventId: 'evt_1', recorded: false }]);
  });

  it('runs every delivery with store: false (no deduplication)', async () => {
    const { handler, runs } = make({ store: false });
    await handler.handle(request(body()));
    await handler.handle(request(body()));
    expect(runs).toEqual(['evt_1', 'evt_1']);
  });

  it('keeps dedup state per handler by default', async () => {
    const a = make();
    const b = make();
    await a.handler.handle(request(body()));
    expect((await b.handler.handle(request(body()))).outcome).toBe('processed');
  });

  it('reads id and name through custom getters', async () => {
    const { handler, runs } = make({
      getEventId: (b) => (b as { uuid: string }).uuid,
      getEventName: (b) => (b as { type: string }).type,
    });
    const answer = await handler.handle(request(JSON.stringify({ uuid: 'u-1', type: 'ticket.created' })));
    expect(answer.outcome).toBe('processed');
    expect(runs).toEqual(['u-1']);
  });

  it('accepts an asynchronous verifier (the Web Crypto verifyPayload)', async () => {
    const { handler, runs } = make({ verifier: verifyWithWebCrypto });
    expect((await handler.handle(request(body()))).outcome).toBe('processed');
    const raw = body('evt_2');
    expect((await handler.handle(request(raw.replace('1', '2'), signPayload(raw, secret, { timestamp: NOW })))).status).toBe(401);
    expect(runs).toEqual(['evt_1']);
  });

  it('verifies the bytes as they were when handle() was called, even if the caller changes them', async () => {
    const { handler } = make({ verifier: verifyWithWebCrypto });
    const raw = body();
    const bytes = new TextEncoder().encode(raw);
    const pending = handler.handle({ rawBody: bytes, headers: signPayload(raw, secret, { timestamp: NOW }) });
    bytes.fill(0x20);
    expect((await pending).outcome).toBe('processed');
  });

  it('throws a TypeError when a custom verifier answers something verifyPayload never would', async () => {
    const answers: unknown[] = [undefined, null, {}, { ok: true }, { ok: true, timestamp: '1' }, { ok: false, reason: 'nope' }];
    for (const answer of answers) {
      const { handler, runs } = make({ verifier: () => answer as never });
      await expect(handler.handle(request(body()))).rejects.toThrow(/the verifier must answer as verifyPayload does/);
      expect(runs).toEqual([]);
    }
    const { handler } = make({ verifier: async () => ({ ok: false, reason: 'signature_mismatch', message: 'm' }) });
    expect((await handler.handle(request(body()))).status).toBe(401);
  });

  it('copies a Buffer body too before an asynchronous verifier runs (Buffer#slice would share it)', async () => {
    const { handler, runs } = make({ verifier: verifyWithWebCrypto });
    const raw = body();
    const bytes = Buffer.from(raw);
    const pending = handler.handle({ rawBody: bytes, headers: signPayload(raw, secret, { timestamp: NOW }) });
    bytes.write('evt_9', raw.indexOf('evt_1'));
    expect((await pending).outcome).toBe('processed');
    expect(runs).toEqual(['evt_1']);
  });
});

describe('createWebhookHandler: hooks', () => {
  it('reports processed, duplicate, in flight, ignored and rejected with ids, names and reasons', async () => {
    const calls: Array<[string, unknown]> = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const hook = (name: string) => (info: unknown) => void calls.push([name, info]);
    const handler = createWebhookHandler({
      secret,
      now: NOW,
      on: { 'ticket.created': () => gate },
      onProcessed: hook('processed'),
      onDuplicate: hook('duplicate'),
      onIgnored: hook('ignored'),
      onRejected: hook('rejected'),
    });
    const first = handler.handle(request(body()));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await handler.handle(request(body()))).status).toBe(409);
    release();
    await first;
    await handler.handle(request(body()));
    await handler.handle(request(body('evt_9', 'ticket.closed')));
    await handler.handle(request('{}', signPayload('{"a":1}', secret, { timestamp: NOW })));
    expect(calls).toEqual([
      ['duplicate', { eventId: 'evt_1', eventName: 'ticket.created', state: 'in_flight', status: 409 }],
      ['processed', { eventId: 'evt_1', eventName: 'ticket.created', durationMs: expect.any(Number), recorded: true }],
      ['duplicate', { eventId: 'evt_1', eventName: 'ticket.created', state: 'done', status: 200 }],
      ['ignored', { reason: 'unhandled_event', eventId: 'evt_9', eventName: 'ticket.closed' }],
      ['rejected', { reason: 'signature_mismatch', status: 401, eventId: undefined, eventName: undefined }],
    ]);
  });

  it('gives the same answer when every hook throws or rejects', async () => {
    const thrower = () => {
      throw new Error('hook bug');
    };
    const rejecter = () => Promise.reject(new Error('hook bug'));
    const { handler } = make({ onProcessed: thrower, onDuplicate: rejecter, onRejected: thrower, onIgnored: rejecter });
    expect((await handler.handle(request(body()))).status).toBe(200);
    expect((await handler.handle(request(body()))).status).toBe(200);
    expect((await handler.handle(request(body('evt_3', 'other')))).status).toBe(200);
    expect((await handler.handle(request('x', {} as never))).status).toBe(200);
    expect((await handler.handle(request('x', signPayload('y', secret, { timestamp: NOW })))).status).toBe(401);
  });
});

describe('createWebhookHandler: stale-update guard', () => {
  const dated = (id: string, createdDate: string) => body(id, 'ticket.created', { createdDate });

  it('drops an update older than the last applied one for the same urn (200, onStale), applies newer and equal ones', async () => {
    const stale: unknown[] = [];
    const { handler, runs } = make({ staleGuard: { store: new MemorySeenEventStore() }, onStale: (i) => stale.push(i) });
    expect((await handler.handle(request(dated('e2', '2026-01-02T00:00:00Z')))).outcome).toBe('processed');
    expect((await handler.handle(request(dated('e1', '2026-01-01T00:00:00Z')))).outcome).toBe('stale');
    expect((await handler.handle(request(dated('e3', '2026-01-02T00:00:00Z')))).outcome).toBe('processed');
    expect((await handler.handle(request(dated('e4', '2026-01-03T00:00:00Z')))).outcome).toBe('processed');
    expect(runs).toEqual(['e2', 'e3', 'e4']);
    expect(stale).toEqual([
      { eventId: 'e1', eventName: 'ticket.created', key: 'urn:ticket:1', order: Date.parse('2026-01-01T00:00:00Z'), lastApplied: Date.parse('2026-01-02T00:00:00Z') },
    ]);
  });

  it('does not record the order of an update whose handler failed', async () => {
    let fail = true;
    const { handler } = make({
      staleGuard: { store: new MemorySeenEventStore() },
      on: { 'ticket.created': () => { if (fail) throw new Error('x'); } },
    });
    expect((await handler.handle(request(dated('e2', '2026-01-02T00:00:00Z')))).status).toBe(500);
    fail = false;
    expect((await handler.handle(request(dated('e1', '2026-01-01T00:00:00Z')))).outcome).toBe('processed');
  });

  it('answers 503 when the guard store is down, and guards by a custom key', async () => {
    const down = { lastApplied: () => Promise.reject(new Error('down')), recordApplied: () => Promise.resolve() };
    const { handler, runs } = make({ staleGuard: { store: down } });
    expect((await handler.handle(request(body()))).status).toBe(503);
    expect(runs).toEqual([]);
    const keyed = make({ staleGuard: { store: new MemorySeenEventStore(), key: (e) => (e.data as { room?: string }).room } });
    expect((await keyed.handler.handle(request(dated('e9', '2026-01-09T00:00:00Z')))).outcome).toBe('processed');
    expect((await keyed.handler.handle(request(dated('e8', '2026-01-08T00:00:00Z')))).outcome).toBe('processed');
  });
});

describe('createWebhookHandler: programming errors', () => {
  const on = { 'ticket.created': () => undefined };
  it.each([
    ['no options', undefined, /options object/],
    ['no secret', { on }, /secret/],
    ['an empty secret', { secret: '', on }, /empty/],
    ['on not an object', { secret, on: 'ticket.created' }, /`on` must be an object/],
    ['on as an array', { secret, on: [] }, /`on` must be an object/],
    ['a handler that is not a function', { secret, on: { 'ticket.created': 'save' } }, /must be a function/],
    ['a bad store', { secret, on, store: {} }, /SeenEventStore/],
    ['a bad unsignedPing', { secret, on, unsignedPing: 'yes' }, /unsignedPing/],
    ['a bad staleGuard store', { secret, on, staleGuard: { store: {} } }, /lastApplied/],
    ['a bad leaseMs', { secret, on, leaseMs: 0 }, /leaseMs/],
    ['a bad toleranceSeconds', { secret, on, toleranceSeconds: -1 }, /toleranceSeconds/],
    ['a bad hook', { secret, on, onProcessed: 'log' }, /onProcessed/],
  ])('throws TypeError at creation for %s', (_name, options, message) => {
    expect(() => createWebhookHandler(options as never)).toThrow(TypeError);
    expect(() => createWebhookHandler(options as never)).toThrow(message);
  });

  it('rejects handle() with a TypeError for a parsed body instead of the raw bytes', async () => {
    const { handler } = make();
    await expect(handler.handle({ rawBody: { event: {} } as never, headers: {} })).rejects.toThrow(/raw request body/);
  });
});

describe('createWebhookHandler: types', () => {
  it('types the handler map by event name and payload', () => {
    type Events = { 'ticket.created': { ticketId: string }; 'ticket.closed': { reason: 'done' | 'spam' } };
    const handler = createWebhookHandler<Events>({
      secret,
      on: {
        'ticket.created': (event) => {
          const id: string = event.data.ticketId;
          const name: 'ticket.created' = event.name;
          return [id, name];
        },
        // @ts-expect-error: the payload type of 'ticket.closed' has no ticketId
        'ticket.closed': (event) => event.data.ticketId,
      },
    });
    createWebhookHandler<Events>({
      secret,
      // @ts-expect-error: not an event of the map
      on: { 'ticket.deleted': () => undefined },
    });
    expect(typeof handler.handle).toBe('function');
  });
});
