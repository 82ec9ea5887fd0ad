import { describe, expect, it } from 'vitest';
import { MemorySeenEventStore, processOnce, type SeenEventStore } from '../../src/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('processOnce keeps the lease alive while the work runs', () => {
  it('renews a 60 ms lease through 300 ms of work, so a retry in the middle sees in_flight', async () => {
    const store = new MemorySeenEventStore();
    const running = processOnce(store, 'evt-long', () => sleep(300).then(() => 'done'), { leaseMs: 60 });
    await sleep(200);
    expect(await processOnce(store, 'evt-long', () => 'again', { leaseMs: 60 })).toEqual({ status: 'in_flight' });
    expect(await running).toEqual({ status: 'processed', result: 'done', recorded: true });
  });

  it('renews a short lease that starts while a long one is already kept', async () => {
    const store = new MemorySeenEventStore();
    const long = processOnce(store, 'evt-a', () => sleep(400), { leaseMs: 60_000 });
    const short = processOnce(store, 'evt-b', () => sleep(300), { leaseMs: 60 });
    await sleep(200);
    expect(await processOnce(store, 'evt-b', () => undefined, { leaseMs: 60 })).toEqual({ status: 'in_flight' });
    expect((await short).status).toBe('processed');
    expect((await long).status).toBe('processed');
  });

  it('aborts the work signal when a renewal finds the lease lost', async () => {
    const base = new MemorySeenEventStore();
    const store: SeenEventStore = {
      claim: (id, lease) => base.claim(id, lease),
      complete: (id, token, retention) => base.complete(id, token, retention),
      release: (id, token) => base.release(id, token),
      extend: async () => false,
    };
    let reason: unknown;
    const outcome = await processOnce(
      store,
      'evt-lost',
      ({ signal }) =>
        new Promise<string>((resolve) => {
          signal.addEventListener('abort', () => {
            reason = signal.reason;
            resolve('stopped');
          });
        }),
      { leaseMs: 60 },
    );
    expect(String(reason)).toMatch(/lease on event evt-lost was lost/);
    expect(outcome).toMatchObject({ status: 'processed', result: 'stopped' });
  });

  it('hands out an already aborted signal when the work first asks after the lease was lost', async () => {
    const base = new MemorySeenEventStore();
    const store: SeenEventStore = { ...bind(base), extend: async () => false };
    const outcome = await processOnce(store, 'evt-late', async (context) => {
      await sleep(150);
      return context.signal.aborted;
    }, { leaseMs: 60 });
    expect(outcome).toMatchObject({ status: 'processed', result: true });
  });
});

function bind(store: MemorySeenEventStore): SeenEventStore {
  return {
    claim: (id, lease) => store.claim(id, lease),
    complete: (id, token, retention) => store.complete(id, token, retention),
    release: (id, token) => store.release(id, token),
    extend: (id, token, lease) => store.extend(id, token, lease),
  };
}
