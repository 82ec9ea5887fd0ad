import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemorySeenEventStore } from '../../src/idempotency/memory.js';
import { describeStoreContract } from '../support/store-contract.js';

describeStoreContract('memory', async () => {
  let now = 1_700_000_000_000;
  const store = new MemorySeenEventStore({ now: () => now });
  return {
    store,
    connections: async (count) => Array.from({ length: count }, () => store),
    wait: async (ms) => {
      now += ms;
    },
    close: async () => undefined,
  };
});

describe('MemorySeenEventStore bound', () => {
  it('never holds more than maxEntries over 1,000,000 claims', { timeout: 120_000 }, async () => {
    const maxEntries = 10_000;
    const store = new MemorySeenEventStore({ maxEntries });
    let largest = 0;
    let pending: { id: string; token: string } | undefined;
    for (let i = 0; i < 1_000_000; i++) {
      const claim = await store.claim(`evt-${i}`, 60_000);
      if (claim.state !== 'acquired') throw new Error(`claim ${i} answered ${claim.state}`);
      // Every tenth event stays in flight for the next ten claims, as overlapping work would.
      if (i % 10 === 0) {
        if (pending && !(await store.complete(pending.id, pending.token, 8 * 86_400_000))) {
          throw new Error(`in-flight ${pending.id} lost its lease`);
        }
        pending = { id: `evt-${i}`, token: claim.token };
      } else {
        await store.complete(`evt-${i}`, claim.token, 8 * 86_400_000);
      }
      if (store.size > largest) largest = store.size;
    }
    console.log(`memory store: 1,000,000 claims, maxEntries ${maxEntries}, largest size seen ${largest}`);
    expect(largest).toBeLessThanOrEqual(maxEntries);
    expect(store.size).toBe(maxEntries);
  });

  it('evicts the oldest done ids and never an in-flight one', { timeout: 120_000 }, async () => {
    const store = new MemorySeenEventStore({ maxEntries: 1_000 });
    const held = Array.from({ length: 100 }, () => `held-${randomUUID()}`);
    const tokens = new Map<string, string>();
    for (const id of held) {
      const claim = await store.claim(id, 3_600_000);
      if (claim.state === 'acquired') tokens.set(id, claim.token);
    }
    for (let i = 0; i < 1_000_000; i++) {
      const claim = await store.claim(`done-${i}`, 60_000);
      if (claim.state !== 'acquired') throw new Error(`claim ${i} answered ${claim.state}`);
      await store.complete(`done-${i}`, claim.token, 8 * 86_400_000);
    }
    expect(store.size).toBeLessThanOrEqual(1_000);
    for (const id of held) expect(await store.claim(id, 60_000)).toEqual({ state: 'in_flight' });
    for (const id of held) expect(await store.complete(id, tokens.get(id)!, 60_000)).toBe(true);
    // The newest done ids are the ones kept; the oldest are gone.
    expect(await store.claim('done-999999', 60_000)).toEqual({ state: 'done' });
    expect(await store.claim('done-0', 60_000)).toMatchObject({ state: 'acquired' });
  });

  it('evicts in completion order when ids are completed again after their retention', async () => {
    let now = 0;
    const store = new MemorySeenEventStore({ maxEntries: 100, now: () => now });
    const process = async (id: string, retentionMs: number) => {
      const claim = await store.claim(id, 1_000);
      if (claim.state !== 'acquired') throw new Error(`${id}: ${claim.state}`);
      expect(await store.complete(id, claim.token, retentionMs)).toBe(true);
    };
    // Ids completed, forgotten and completed again many times leave stale entries in the eviction queue.
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 50; i++) await process(`short-${i}`, 10);
      now += 20;
    }
    for (let i = 0; i < 100; i++) await process(`long-${i}`, 1_000_000);
    expect(store.size).toBeLessThanOrEqual(100);
    // The 100 newest done ids are the long ones; every short one has expired or been evicted.
    for (let i = 0; i < 100; i++) expect(await store.claim(`long-${i}`, 1_000)).toEqual({ state: 'done' });
    await process('newest', 1_000_000);
    expect(await store.claim('long-1', 1_000)).toEqual({ state: 'done' });
    expect(await store.claim('long-0', 1_000)).toMatchObject({ state: 'acquired' });
  });

  it('refuses a claim, rather than evicting, when every entry is in flight', async () => {
    const store = new MemorySeenEventStore({ maxEntries: 3 });
    for (const id of ['a', 'b', 'c']) expect(await store.claim(id, 60_000)).toMatchObject({ state: 'acquired' });
    await expect(store.claim('d', 60_000)).rejects.toThrow(/full/);
    expect(await store.claim('a', 60_000)).toEqual({ state: 'in_flight' });
  });
});
