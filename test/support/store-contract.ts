// The one conformance suite every SeenEventStore runs unchanged: memory, Redis (node-redis and ioredis),
// PostgreSQL. A store someone writes for another database should pass it too.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processOnce } from '../../src/idempotency/process-once.js';
import type { AppliedOrderStore, SeenEventStore } from '../../src/idempotency/store.js';

export type ContractStore = SeenEventStore & AppliedOrderStore;

export interface StoreHarness {
  /** The store under test. */
  readonly store: ContractStore;
  /** `count` stores over the same data through separate connections (or the same instance, in memory). */
  connections(count: number): Promise<ContractStore[]>;
  /** Lets `ms` of store time pass: a real sleep for servers, a clock step for the memory store. */
  wait(ms: number): Promise<void>;
  /** Deletes what the run created and closes connections. */
  close(): Promise<void>;
}

// Expiry tests use short leases and sleep well past them; "still held" checks use leases long enough that
// a slow machine cannot let them lapse between two statements.
const SHORT = 40;
const PAST_SHORT = 200;
const LONG = 30_000;

export function describeStoreContract(name: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`SeenEventStore contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: ContractStore;
    const id = (label = 'evt') => `${label}-${randomUUID()}`;

    beforeAll(async () => {
      harness = await makeHarness();
      store = harness.store;
    });
    afterAll(async () => {
      await harness?.close();
    });

    async function acquire(eventId: string, leaseMs = LONG): Promise<string> {
      const claim = await store.claim(eventId, leaseMs);
      if (claim.state !== 'acquired') throw new Error(`expected to acquire ${eventId}, got ${claim.state}`);
      expect(typeof claim.token).toBe('string');
      expect(claim.token.length).toBeGreaterThan(0);
      return claim.token;
    }

    describe('transitions of SPEC section 5', () => {
      it('claims a free id, answering acquired with a token', async () => {
        await acquire(id());
      });

      it('answers in_flight to a claim while the lease is held', async () => {
        const eventId = id();
        await acquire(eventId);
        expect(await store.claim(eventId, LONG)).toEqual({ state: 'in_flight' });
        expect(await store.claim(eventId, LONG)).toEqual({ state: 'in_flight' });
      });

      it('answers done after complete, for as long as the id is retained', async () => {
        const eventId = id();
        const token = await acquire(eventId);
        expect(await store.complete(eventId, token, LONG)).toBe(true);
        expect(await store.claim(eventId, LONG)).toEqual({ state: 'done' });
        expect(await store.claim(eventId, LONG)).toEqual({ state: 'done' });
      });

      it('frees the id on release, so the retry claims it with a new token', async () => {
        const eventId = id();
        const first = await acquire(eventId);
        expect(await store.release(eventId, first)).toBe(true);
        const second = await acquire(eventId);
        expect(second).not.toBe(first);
      });

      it('keeps the lease past its first expiry when extended', async () => {
        const eventId = id();
        const token = await acquire(eventId, 1000);
        expect(await store.extend(eventId, token, LONG)).toBe(true);
        await harness.wait(1300);
        expect(await store.claim(eventId, LONG)).toEqual({ state: 'in_flight' });
        expect(await store.complete(eventId, token, LONG)).toBe(true);
      });

      it('hands out a different token on every acquisition', async () => {
        const tokens = new Set<string>();
        for (let i = 0; i < 20; i++) tokens.add(await acquire(id()));
        expect(tokens.size).toBe(20);
      });
    });

    describe('lease expiry and takeover', () => {
      it('lets the next claim take over an expired lease with a new token', async () => {
        const eventId = id();
        const stale = await acquire(eventId, SHORT);
        await harness.wait(PAST_SHORT);
        const fresh = await acquire(eventId);
        expect(fresh).not.toBe(stale);
        expect(await store.claim(eventId, LONG)).toEqual({ state: 'in_flight' });
      });

      it('ignores complete, release and extend with the stale token after a takeover', async () => {
        const eventId = id();
        const stale = await acquire(eventId, SHORT);
        await harness.wait(PAST_SHORT);
        const fresh = await acquire(eventId);
        expect(await store.complete(eventId, stale, LONG)).toBe(false);
        expect(await store.release(eventId, stale)).toBe(false);
        expect(await store.extend(eventId, stale, LONG)).toBe(false);
        expect(await store.claim(eventId, LONG)).toEqual({ state: 'in_flight' });
        expect(await store.complete(eventId, fresh, LONG)).toBe(true);
        expect(await store.claim(eventId, LONG)).toEqual({ state: 'done' });
      });

      it('refuses to complete or extend an expired lease nobody took over, and leaves the id free', async () => {
        const eventId = id();
        const token = await acquire(eventId, SHORT);
        await harness.wait(PAST_SHORT);
        expect(await store.complete(eventId, token, LONG)).toBe(false);
        expect(await store.extend(eventId, token, LONG)).toBe(false);
        expect(await store.release(eventId, token)).toBe(false);
        await acquire(eventId);
      });
    });

    describe('stale or wrong tokens change nothing', () => {
      it('ignores a token that never held the lease', async () => {
        const eventId = id();
        const token = await acquire(eventId);
        expect(await store.complete(eventId, `${token}x`, LONG)).toBe(false);
        expect(await store.release(eventId, 'not-a-token')).toBe(false);
        expect(await store.extend(eventId, '', LONG)).toBe(false);
        expect(await store.claim(eventId, LONG)).toEqual({ state: 'in_flight' });
        expect(await store.complete(eventId, token, LONG)).toBe(true);
      });

      it('keeps a done id done when its old token completes, releases or extends again', async () => {
        const eventId = id();
        const token = await acquire(eventId);
        expect(await store.complete(eventId, token, LONG)).toBe(true);
        expect(await store.complete(eventId, token, LONG)).toBe(false);
        expect(await store.release(eventId, token)).toBe(false);
        expect(await store.extend(eventId, token, LONG)).toBe(false);
        expect(await store.claim(eventId, LONG)).toEqual({ state: 'done' });
      });

      it('answers false for an id that was never claimed, and leaves it free', async () => {
        const eventId = id();
        expect(await store.complete(eventId, 'token', LONG)).toBe(false);
        expect(await store.release(eventId, 'token')).toBe(false);
        expect(await store.extend(eventId, 'token', LONG)).toBe(false);
        await acquire(eventId);
      });

      it('does not let a released token act on the next owner', async () => {
        const eventId = id();
        const first = await acquire(eventId);
        expect(await store.release(eventId, first)).toBe(true);
        const second = await acquire(eventId);
        expect(await store.release(eventId, first)).toBe(false);
        expect(await store.complete(eventId, first, LONG)).toBe(false);
        expect(await store.complete(eventId, second, LONG)).toBe(true);
      });
    });

    describe('retention', () => {
      it('forgets a done id once its retention has passed', async () => {
        const eventId = id();
        const token = await acquire(eventId);
        expect(await store.complete(eventId, token, SHORT)).toBe(true);
        await harness.wait(PAST_SHORT);
        await acquire(eventId);
      });
    });

    describe('id strings', () => {
      const ids: Array<[string, string]> = [
        ['unicode', 'événement-🎉-事件-Ω'],
        ['colons', 'urn:allthings:ticket:42:event'],
        ['quotes', `it's "quoted" \`back\` ' OR '1'='1`],
        ['1 KB long', 'k'.repeat(1024)],
        ['backslashes, percent and spaces', 'a\\b %s %% \t x'],
        ['a prefix of the colons id', 'urn:allthings:ticket:42'],
      ];
      it.each(ids)('keeps an id with %s distinct and intact', async (_label, raw) => {
        const eventId = `${randomUUID()}|${raw}`;
        const token = await acquire(eventId);
        expect(await store.claim(`${eventId} `, LONG)).toMatchObject({ state: 'acquired' });
        expect(await store.complete(eventId, token, LONG)).toBe(true);
        expect(await store.claim(eventId, LONG)).toEqual({ state: 'done' });
        expect(await store.claim(eventId.toUpperCase(), LONG)).toMatchObject({ state: 'acquired' });
      });
    });

    describe('AppliedOrderStore', () => {
      it('answers undefined for a key never recorded', async () => {
        expect(await store.lastApplied(id('res'))).toBeUndefined();
      });

      it('keeps the newest timestamp and ignores older ones', async () => {
        const key = id('res');
        await store.recordApplied(key, 1_700_000_000_000, LONG);
        expect(await store.lastApplied(key)).toBe(1_700_000_000_000);
        await store.recordApplied(key, 1_600_000_000_000, LONG);
        expect(await store.lastApplied(key)).toBe(1_700_000_000_000);
        await store.recordApplied(key, 1_700_000_000_000, LONG);
        expect(await store.lastApplied(key)).toBe(1_700_000_000_000);
        await store.recordApplied(key, 1_700_000_000_001, LONG);
        expect(await store.lastApplied(key)).toBe(1_700_000_000_001);
      });

      it('forgets a timestamp after its retention, then accepts an older one', async () => {
        const key = id('res');
        await store.recordApplied(key, 2_000, SHORT);
        await harness.wait(PAST_SHORT);
        expect(await store.lastApplied(key)).toBeUndefined();
        await store.recordApplied(key, 1_000, LONG);
        expect(await store.lastApplied(key)).toBe(1_000);
      });

      it('keeps resource keys apart from event ids', async () => {
        const key = id('shared');
        await store.recordApplied(key, 5, LONG);
        await acquire(key);
        expect(await store.lastApplied(key)).toBe(5);
      });
    });

    describe('processOnce over this store', () => {
      it('processes once, then answers duplicate', async () => {
        const eventId = id();
        let runs = 0;
        expect(await processOnce(store, eventId, () => ++runs)).toEqual({ status: 'processed', result: 1, recorded: true });
        expect(await processOnce(store, eventId, () => ++runs)).toEqual({ status: 'duplicate' });
        expect(runs).toBe(1);
      });

      it('releases when the work throws, so the retry runs it', async () => {
        const eventId = id();
        const failure = new Error('downstream failed');
        await expect(processOnce(store, eventId, () => Promise.reject(failure))).rejects.toBe(failure);
        expect(await processOnce(store, eventId, () => 'second try')).toEqual({
          status: 'processed',
          result: 'second try',
          recorded: true,
        });
      });

      it('answers in_flight while another call runs the work', async () => {
        const eventId = id();
        let finish!: () => void;
        let started!: () => void;
        const running = new Promise<void>((resolve) => (started = resolve));
        const first = processOnce(store, eventId, () => {
          started();
          return new Promise<void>((resolve) => (finish = resolve));
        });
        await running;
        expect(await processOnce(store, eventId, () => 'never')).toEqual({ status: 'in_flight' });
        finish();
        expect(await first).toEqual({ status: 'processed', result: undefined, recorded: true });
        expect(await processOnce(store, eventId, () => 'never')).toEqual({ status: 'duplicate' });
      });
    });

    describe('races', () => {
      it('runs the work exactly once for 50 concurrent processOnce calls on one id', async () => {
        const stores = await harness.connections(50);
        const eventId = id('race');
        let runs = 0;
        const outcomes = await Promise.all(
          stores.map((s) =>
            processOnce(s, eventId, async () => {
              runs += 1;
              await new Promise((resolve) => setTimeout(resolve, 20));
              return 'done';
            }),
          ),
        );
        const statuses = outcomes.map((o) => o.status);
        expect(runs).toBe(1);
        expect(statuses.filter((s) => s === 'processed')).toHaveLength(1);
        expect(statuses.every((s) => s === 'processed' || s === 'in_flight' || s === 'duplicate')).toBe(true);
      });

      it('lets exactly one of 50 concurrent claims take over an expired lease', async () => {
        const stores = await harness.connections(50);
        const eventId = id('race');
        await acquire(eventId, SHORT);
        await harness.wait(PAST_SHORT);
        const claims = await Promise.all(stores.map((s) => s.claim(eventId, LONG)));
        expect(claims.filter((c) => c.state === 'acquired')).toHaveLength(1);
        expect(claims.filter((c) => c.state === 'in_flight')).toHaveLength(49);
      });
    });
  });
}
