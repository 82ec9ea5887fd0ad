// Second round of hostile tests: ways to make the handler act on bytes other than the verified ones, or to
// run one event's work twice (SPEC 5), found by a security review. Inputs are built with the library's own
// signPayload and a fixed clock; every test asserts the exact outcome.
import { describe, expect, it, vi } from 'vitest';
import {
  createWebhookHandler,
  MemorySeenEventStore,
  processOnce,
  signPayload,
  type SeenEventStore,
  type WebhookEvent,
} from 'allthings-webhooks';
import * as web from 'allthings-webhooks/web';

const SECRET = 'whsec_integrity_5d1c';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const NOW = 1_764_000_000_000;

const envelope = (id: string, name: string, data: unknown = {}) =>
  JSON.stringify({ event: { id, name, urn: 'urn:ticket:1', createdDate: '2026-01-01T00:00:00Z', data } });

describe('the handler acts only on the bytes it verified', () => {
  // handle() promises a copy "so that a caller cannot change the bytes while an asynchronous verifier
  // runs"; Buffer#slice() is a view, not a copy, so a Buffer body (the usual one) was parsed after the await
  // from whatever the caller's memory held by then.
  const verifiers = [
    ['node verifier', undefined],
    ['Web Crypto verifier', web.verifyPayload],
  ] as const;
  for (const [label, verifier] of verifiers) {
    it(`${label}: a Buffer body changed right after handle() runs the signed event, not the new bytes`, async () => {
      const seen: Array<[string, string]> = [];
      const record = (event: WebhookEvent) => void seen.push([event.name, event.id]);
      const handler = createWebhookHandler({
        secret: SECRET,
        now: NOW,
        ...(verifier ? { verifier } : {}),
        on: { 'ticket.created': record, 'ticket.deleted': record },
      });
      const signed = envelope('evt-signed', 'ticket.created');
      const forged = envelope('evt-forged', 'ticket.deleted');
      const buffer = Buffer.alloc(Math.max(signed.length, forged.length), ' ');
      buffer.write(signed);
      const pending = handler.handle({ rawBody: buffer, headers: signPayload(buffer, SECRET, { timestamp: NOW }) });
      buffer.fill(' ').write(forged);
      const answer = await pending;
      expect(answer.status).toBe(200);
      expect(answer.outcome).toBe('processed');
      expect(seen).toEqual([['ticket.created', 'evt-signed']]);
    });
  }

  it('web verifyPayload: a second Buffer secret changed during the first HMAC is not used changed', async () => {
    const body = envelope('evt-rotation', 'ticket.created');
    const wrong = Buffer.from('whsec_old_secret_0000');
    const right = Buffer.from(SECRET);
    const headers = signPayload(body, SECRET, { timestamp: NOW });
    const pending = web.verifyPayload(body, headers, [wrong, right], { now: NOW });
    right.fill(0x41); // the caller reuses its buffer while verification is pending
    expect(await pending).toEqual({ ok: true, timestamp: NOW });
  });
});

describe('the work runs once even when the stale-update guard store misbehaves after it', () => {
  // Recording the applied order happens after the handler's effect; the handler must not then answer 500
  // (the provider would retry and the effect would happen twice). A rejected promise was handled, but a
  // recordApplied that throws synchronously, or returns nothing (a plain Map-backed store), was not.
  const applied = new Map<string, number>();
  const stores = [
    ['returns nothing (synchronous)', { lastApplied: async (key: string) => applied.get(key), recordApplied: (key: string, ms: number) => void applied.set(key, ms) }],
    ['throws synchronously', { lastApplied: async () => undefined, recordApplied: () => { throw new Error('recordApplied failed'); } }],
  ] as const;
  for (const [label, store] of stores) {
    it(`a recordApplied that ${label}: 200 processed once, onFailed 200 store_unavailable, the retry is a duplicate`, async () => {
      let runs = 0;
      const failed: Array<Record<string, unknown>> = [];
      const handler = createWebhookHandler({
        secret: SECRET,
        now: NOW,
        staleGuard: { store: store as never },
        onFailed: (info) => void failed.push({ reason: info.reason, status: info.status, eventId: info.eventId }),
        on: { 'ticket.created': () => void (runs += 1) },
      });
      const body = envelope(`evt-stale-${label}`, 'ticket.created');
      const headers = signPayload(body, SECRET, { timestamp: NOW });
      const first = await handler.handle({ rawBody: body, headers });
      expect([first.status, first.outcome]).toEqual([200, 'processed']);
      const retry = await handler.handle({ rawBody: body, headers });
      expect([retry.status, retry.outcome]).toEqual([200, 'duplicate']);
      expect(runs).toBe(1);
      expect(failed).toEqual(
        label === 'throws synchronously' ? [{ reason: 'store_unavailable', status: 200, eventId: `evt-stale-${label}` }] : [],
      );
    });
  }
});

/** processOnce from a fresh copy of the module, so that the lease timer state of earlier tests does not count. */
async function freshProcessOnce(): Promise<typeof processOnce> {
  vi.resetModules();
  return (await import('../../src/idempotency/process-once.js')).processOnce;
}

describe('lease renewal does not depend on the wall clock', () => {
  // processOnce renews a running lease every third of leaseMs. The renewals were scheduled by Date.now(), so
  // a wall-clock step backwards (NTP correction, VM resume) postponed them by the size of the step: the lease
  // expired in the store while the work still ran, and a retry claimed the event and ran it a second time.
  it('a lease longer than a timer can wait (about 74 days) neither spins a 1 ms timer nor prints warnings', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning.name);
    process.on('warning', onWarning);
    const store = new MemorySeenEventStore();
    let extends_ = 0;
    const counting: SeenEventStore = {
      claim: (id, ms) => store.claim(id, ms),
      complete: (id, token, ms) => store.complete(id, token, ms),
      release: (id, token) => store.release(id, token),
      extend: (id, token, ms) => ((extends_ += 1), store.extend(id, token, ms)),
    };
    const run = await freshProcessOnce();
    try {
      const outcome = await run(counting, 'evt-long-lease', () => sleep(100), { leaseMs: 100 * 24 * 3_600_000 });
      expect(outcome.status).toBe('processed');
      await sleep(20);
      expect(warnings).toEqual([]);
      expect(extends_).toBe(0);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a wall-clock step of 10 minutes back during the work: the retry is still in_flight, the work ran once', async () => {
    const wallClock = Date.now;
    const monotonic = () => performance.timeOrigin + performance.now();
    const store = new MemorySeenEventStore({ now: monotonic }); // the store's own clock keeps running
    let runs = 0;
    const run = await freshProcessOnce();
    try {
      const first = run(store, 'evt-clock-step', async () => {
        runs += 1;
        Date.now = () => wallClock() - 600_000;
        await sleep(900);
      }, { leaseMs: 300 });
      await sleep(600); // two lease lengths later
      const retry = await run(store, 'evt-clock-step', () => void (runs += 1), { leaseMs: 300 });
      expect(retry.status).toBe('in_flight');
      expect((await first).status).toBe('processed');
      expect(runs).toBe(1);
    } finally {
      Date.now = wallClock;
    }
  });
});

describe('store command deadlines', () => {
  it('a Redis commandTimeoutMs longer than a timer can wait neither spins a 1 ms timer nor prints warnings', async () => {
    vi.resetModules();
    const { RedisSeenEventStore } = await import('../../src/entries/redis.js');
    const warnings: string[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning.name);
    process.on('warning', onWarning);
    // An ioredis-shaped client that answers every claim "acquired" after 5 ms.
    const client = {
      evalsha: () => sleep(5).then(() => 1),
      eval: () => sleep(5).then(() => 1),
    };
    try {
      const store = new RedisSeenEventStore(client as never, { commandTimeoutMs: 3e9 });
      for (let i = 0; i < 5; i++) expect((await store.claim(`evt-${i}`, 1_000)).state).toBe('acquired');
      await sleep(20);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('processOnce checks the whole store before claiming', () => {
  // Only claim() was checked: a store without complete() ran the work and then failed to record it (the retry
  // ran it again); one without extend() silently let long work lose its lease; one without release() kept a
  // failed event blocked for a lease. Each is a programming error that must throw before any work runs.
  for (const missing of ['complete', 'release', 'extend'] as const) {
    it(`a store without ${missing}() → TypeError naming the four methods, the work does not run`, async () => {
      const inner = new MemorySeenEventStore();
      const store: Partial<SeenEventStore> = {
        claim: (id, ms) => inner.claim(id, ms),
        complete: (id, token, ms) => inner.complete(id, token, ms),
        release: (id, token) => inner.release(id, token),
        extend: (id, token, ms) => inner.extend(id, token, ms),
      };
      delete store[missing];
      let runs = 0;
      await expect(processOnce(store as SeenEventStore, 'evt-partial-store', () => void (runs += 1))).rejects.toThrow(
        /^allthings-webhooks: processOnce needs a SeenEventStore \(claim\/complete\/release\/extend\)/,
      );
      expect(runs).toBe(0);
      expect(await inner.claim('evt-partial-store', 1_000)).toMatchObject({ state: 'acquired' });
    });
  }
});

describe('answers share no mutable state', () => {
  // Every 200 answer handed out the same headers object: code that added a header to one answer (typed
  // Readonly, but plain JavaScript lets it) added it to every later answer, to other senders' requests too.
  it('a header added to one answer does not appear in the next one', async () => {
    const handler = createWebhookHandler({ secret: SECRET, now: NOW, on: { 'ticket.created': () => undefined } });
    const first = envelope('evt-headers-1', 'ticket.created');
    const answer = await handler.handle({ rawBody: first, headers: signPayload(first, SECRET, { timestamp: NOW }) });
    (answer.headers as Record<string, string>)['set-cookie'] = 'session=for-the-first-caller-only';
    const second = envelope('evt-headers-2', 'ticket.created');
    const next = await handler.handle({ rawBody: second, headers: signPayload(second, SECRET, { timestamp: NOW }) });
    const ping = await handler.handle({ rawBody: '', headers: {} });
    expect(next.outcome).toBe('processed');
    expect(next.headers).toEqual({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    expect(ping.headers).toEqual({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  });
});

describe('handler.begin(): end() parses only the bytes that were hashed', () => {
  // end(rawBody) once took the body again and checked only its length against the written chunks: other
  // bytes of the same length were parsed and run although the signature covered the written ones. The sink
  // now joins its own chunks; a caller that still passes a body (the old signature) changes nothing.
  it('other bytes of the same length given to end() are ignored: the signed event runs', async () => {
    const seen: string[] = [];
    const handler = createWebhookHandler({ secret: SECRET, now: NOW, on: { 'ticket.created': (event) => void seen.push(event.id) } });
    const signed = envelope('evt-AAAA', 'ticket.created');
    const other = envelope('evt-BBBB', 'ticket.created');
    const sink = handler.begin(signPayload(signed, SECRET, { timestamp: NOW }));
    sink.write(Buffer.from(signed.slice(0, 10)));
    sink.write(Buffer.from(signed.slice(10)));
    const end = sink.end as (body?: Uint8Array) => ReturnType<typeof sink.end>;
    expect(await end(Buffer.from(other))).toMatchObject({ status: 200, outcome: 'processed' });
    expect(seen).toEqual(['evt-AAAA']);
  });
});
