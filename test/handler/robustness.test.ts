import { describe, expect, it } from 'vitest';
import {
  createWebhookHandler,
  MemorySeenEventStore,
  processOnce,
  signPayload,
  type ProcessedInfo,
  type FailedInfo,
  type SeenEventStore,
} from '../../src/index.js';

const secret = 'whsec_robustness';

function delivery(id: unknown, name = 'ticket.created') {
  const rawBody = JSON.stringify({ event: { id, name } }).replace('"__RAW__"', String(id));
  return { rawBody, headers: signPayload(rawBody, secret) };
}

/** A memory store with some methods replaced. */
function storeWith(overrides: Partial<Record<keyof SeenEventStore, unknown>>): SeenEventStore {
  const base = new MemorySeenEventStore();
  return {
    claim: (overrides.claim as SeenEventStore['claim']) ?? ((id, lease) => base.claim(id, lease)),
    complete: (overrides.complete as SeenEventStore['complete']) ?? ((id, t, r) => base.complete(id, t, r)),
    release: (overrides.release as SeenEventStore['release']) ?? ((id, t) => base.release(id, t)),
    extend: (overrides.extend as SeenEventStore['extend']) ?? ((id, t, l) => base.extend(id, t, l)),
  };
}

describe('the handler never answers 2xx for work that did not complete', () => {
  it('answers 500 when the handler throws a store-looking error from its own processOnce, and the retry runs it', async () => {
    let fail = true;
    let finished = 0;
    const inner = storeWith({
      complete: async () => {
        if (fail) throw new Error('inner store down');
        return true;
      },
    });
    const webhooks = createWebhookHandler({
      secret,
      on: {
        'ticket.created': async (event) => {
          await processOnce(inner, `sub-${event.id}`, async () => 1);
          finished++;
        },
      },
    });
    const first = await webhooks.handle(delivery('evt-nested'));
    expect(first).toMatchObject({ status: 500, outcome: 'handler_failed' });
    fail = false;
    expect(await webhooks.handle(delivery('evt-nested'))).toMatchObject({ status: 200, outcome: 'processed' });
    expect(finished).toBe(1);
  });

  it('answers 503 when the store answers a claim it cannot have read', async () => {
    for (const answer of [{ state: 'weird' }, { state: 'acquired' }, undefined, { state: 'acquired', token: '' }]) {
      let ran = false;
      const webhooks = createWebhookHandler({
        secret,
        store: storeWith({ claim: async () => answer }),
        on: { 'ticket.created': async () => void (ran = true) },
      });
      expect(await webhooks.handle(delivery('evt-weird'))).toMatchObject({ status: 503 });
      expect(ran).toBe(false);
    }
  });

  it('reports recorded: false when the lease was lost before completing', async () => {
    const processed: ProcessedInfo[] = [];
    const webhooks = createWebhookHandler({
      secret,
      store: storeWith({ complete: async () => false }),
      on: { 'ticket.created': async () => undefined },
      onProcessed: (info) => void processed.push(info),
    });
    expect(await webhooks.handle(delivery('evt-lost'))).toMatchObject({ status: 200, outcome: 'processed' });
    expect(processed).toEqual([expect.objectContaining({ eventId: 'evt-lost', recorded: false })]);
  });
});

describe('a misbehaving store does not take the process down', () => {
  it('survives an extend() that throws synchronously while long work runs', async () => {
    const webhooks = createWebhookHandler({
      secret,
      leaseMs: 30,
      store: storeWith({
        extend: () => {
          throw new Error('sync extend failure');
        },
      }),
      on: { 'ticket.created': () => new Promise((resolve) => setTimeout(resolve, 150)) },
    });
    expect(await webhooks.handle(delivery('evt-extend'))).toMatchObject({ status: 200, outcome: 'processed' });
  });

  it("reports the handler's own error when release() throws synchronously", async () => {
    const failures: FailedInfo[] = [];
    const boom = new Error('handler boom');
    const webhooks = createWebhookHandler({
      secret,
      store: storeWith({
        release: () => {
          throw new Error('sync release failure');
        },
      }),
      on: {
        'ticket.created': async () => {
          throw boom;
        },
      },
      onFailed: (info) => void failures.push(info),
    });
    expect(await webhooks.handle(delivery('evt-release'))).toMatchObject({ status: 500 });
    expect(failures[0]?.error).toBe(boom);
  });
});

describe('event ids that would collide in some store are refused alike', () => {
  const cases: Array<[string, unknown]> = [
    ['an integer beyond 2^53', '__RAW__'],
    ['a lone high surrogate', 'x\ud800'],
    ['a lone low surrogate', 'x\udc00'],
    ['a NUL character', 'a\u0000b'],
  ];
  it.each(cases)('answers 400 missing_event_id for %s, without running the handler', async (_label, id) => {
    let ran = false;
    const webhooks = createWebhookHandler({ secret, on: { 'ticket.created': async () => void (ran = true) } });
    const d =
      id === '__RAW__'
        ? (() => {
            const rawBody = '{"event":{"id":9007199254740993,"name":"ticket.created"}}';
            return { rawBody, headers: signPayload(rawBody, secret) };
          })()
        : delivery(id);
    expect(await webhooks.handle(d)).toMatchObject({ status: 400, body: '{"ok":false,"reason":"missing_event_id"}' });
    expect(ran).toBe(false);
  });

  it('accepts safe integers, emoji and other unicode ids', async () => {
    const webhooks = createWebhookHandler({ secret, on: { 'ticket.created': async () => undefined } });
    for (const id of [42, 9007199254740991, 'évènement-😊', 'urn:allthings:ticket:"77"', 'line\nbreak']) {
      expect(await webhooks.handle(delivery(id))).toMatchObject({ status: 200, outcome: 'processed' });
    }
  });
});
