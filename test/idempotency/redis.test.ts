import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/idempotency/errors.js';
import { processOnce } from '../../src/idempotency/process-once.js';
import { RedisSeenEventStore, type RedisClientLike } from '../../src/idempotency/redis.js';
import { connectRedis, redisHarness } from '../support/redis-harness.js';
import { ThrowawayRedis } from '../support/redis-server.js';
import { describeStoreContract } from '../support/store-contract.js';
import { freePort, REDIS_URL, serverMissing, sleep, uniqueName } from '../support/servers.js';

const skip = await serverMissing('Redis');

describe.skipIf(skip)('Redis', () => {
  describeStoreContract('Redis via node-redis', redisHarness('node-redis'));
  describeStoreContract('Redis via ioredis', redisHarness('ioredis'));
});

describe.skipIf(skip)('RedisSeenEventStore', () => {
  it('rejects something that is not a Redis client with a TypeError that names both clients', () => {
    expect(() => new RedisSeenEventStore({} as RedisClientLike)).toThrow(TypeError);
    expect(() => new RedisSeenEventStore({} as RedisClientLike)).toThrow(/createClient\(\).*ioredis/);
  });

  it.each(['node-redis', 'ioredis'] as const)('rejects bad options with TypeErrors (%s)', async (flavour) => {
    const { client, close } = await connectRedis(flavour);
    try {
      expect(() => new RedisSeenEventStore(client, { keyPrefix: 5 as unknown as string })).toThrow(TypeError);
      expect(() => new RedisSeenEventStore(client, { commandTimeoutMs: 0 })).toThrow(TypeError);
      const store = new RedisSeenEventStore(client);
      await expect(store.claim('', 1000)).rejects.toThrow(TypeError);
      await expect(store.claim('x', -1)).rejects.toThrow(TypeError);
      await expect(store.recordApplied('x', Number.NaN, 1000)).rejects.toThrow(TypeError);
    } finally {
      await close();
    }
  });

  it.each(['node-redis', 'ioredis'] as const)(
    'writes one key under the prefix with a server-side expiry set in the same step (%s)',
    async (flavour) => {
      const redis = await connectRedis(flavour);
      const raw = createClient({ url: REDIS_URL });
      await raw.connect();
      const prefix = `${uniqueName('prefix')}:`;
      try {
        const store = new RedisSeenEventStore(redis.client, { keyPrefix: prefix });
        const other = new RedisSeenEventStore(redis.client, { keyPrefix: `${prefix}other:` });
        const claim = await store.claim('evt:1', 60_000);
        expect(claim.state).toBe('acquired');
        const ttl = await raw.pTTL(`${prefix}event:evt:1`);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60_000);
        expect(await other.claim('evt:1', 60_000)).toMatchObject({ state: 'acquired' });
        if (claim.state === 'acquired') await store.complete('evt:1', claim.token, 3_600_000);
        const retained = await raw.pTTL(`${prefix}event:evt:1`);
        expect(retained).toBeGreaterThan(60_000);
        expect(retained).toBeLessThanOrEqual(3_600_000);
      } finally {
        await redis.deleteByPrefix(prefix);
        await redis.close();
        await raw.close();
      }
    },
  );

  it('loads its scripts again after SCRIPT FLUSH (EVALSHA falls back to EVAL)', async () => {
    const server = new ThrowawayRedis(await freePort());
    await server.start();
    const redis = await connectRedis('node-redis', server.url);
    const raw = await connectRedis('ioredis', server.url);
    try {
      const store = new RedisSeenEventStore(redis.client);
      const ioStore = new RedisSeenEventStore(raw.client);
      expect(await store.claim('a', 60_000)).toMatchObject({ state: 'acquired' });
      await (raw.client as Redis).script('FLUSH');
      expect(await store.claim('a', 60_000)).toEqual({ state: 'in_flight' });
      await (raw.client as Redis).script('FLUSH');
      expect(await ioStore.claim('a', 60_000)).toEqual({ state: 'in_flight' });
    } finally {
      await redis.close();
      await raw.close();
      await server.stop();
    }
  });
});

describe.skipIf(skip)('Redis down', () => {
  it.each(['node-redis', 'ioredis'] as const)(
    'answers StoreUnavailableError without running the work, and resumes when the server is back (%s)',
    { timeout: 60_000 },
    async (flavour) => {
      const server = new ThrowawayRedis(await freePort());
      await server.start();
      // Default client settings: node-redis queues offline commands forever; commandTimeoutMs bounds the wait.
      const client =
        flavour === 'node-redis' ? createClient({ url: server.url }) : new Redis(server.url, { lazyConnect: true });
      client.on('error', () => undefined);
      await client.connect();
      const store = new RedisSeenEventStore(client, { commandTimeoutMs: 500 });
      let runs = 0;
      const work = () => ++runs;
      try {
        expect(await processOnce(store, 'before', work)).toEqual({ status: 'processed', result: 1, recorded: true });

        await server.stop();
        for (const id of ['during-1', 'during-2']) {
          const failure = await processOnce(store, id, work).then(
            () => undefined,
            (error: unknown) => error,
          );
          expect(failure).toBeInstanceOf(StoreUnavailableError);
          expect((failure as StoreUnavailableError).operation).toBe('claim');
          expect((failure as StoreUnavailableError).cause).toBeInstanceOf(Error);
        }
        expect(runs).toBe(1);

        await server.start();
        let outcome: Awaited<ReturnType<typeof processOnce>> | undefined;
        for (let attempt = 0; attempt < 100 && outcome === undefined; attempt++) {
          outcome = await processOnce(store, 'during-1', work).catch(async (error: unknown) => {
            if (!(error instanceof StoreUnavailableError)) throw error;
            await sleep(100);
            return undefined;
          });
        }
        // The claim that timed out while the server was down was followed by a release, so the retry is not
        // held off for a whole lease.
        expect(outcome).toEqual({ status: 'processed', result: 2, recorded: true });
        expect(await processOnce(store, 'during-1', work)).toEqual({ status: 'duplicate' });
        expect(runs).toBe(2);
      } finally {
        if (client instanceof Redis) client.disconnect();
        else await client.close().catch(() => undefined);
        await server.stop();
      }
    },
  );
});
