import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { RedisSeenEventStore, type RedisClientLike } from '../../src/idempotency/redis.js';
import type { StoreHarness } from './store-contract.js';
import { REDIS_URL, sleep, uniqueName } from './servers.js';

export type RedisFlavour = 'node-redis' | 'ioredis';

/** A connected client of either library, with a way to close it and to delete keys by prefix. */
export interface TestRedisClient {
  readonly client: RedisClientLike;
  close(): Promise<void>;
  deleteByPrefix(prefix: string): Promise<number>;
}

export async function connectRedis(flavour: RedisFlavour, url = REDIS_URL): Promise<TestRedisClient> {
  if (flavour === 'node-redis') {
    const client = createClient({ url });
    client.on('error', () => undefined);
    await client.connect();
    return {
      client,
      close: async () => {
        await client.close().catch(() => undefined);
      },
      deleteByPrefix: async (prefix) => {
        let deleted = 0;
        for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
          if (keys.length > 0) deleted += await client.unlink(keys);
        }
        return deleted;
      },
    };
  }
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  await client.connect();
  return {
    client,
    close: async () => {
      client.disconnect();
    },
    deleteByPrefix: async (prefix) => {
      let deleted = 0;
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) deleted += await client.unlink(...keys);
      } while (cursor !== '0');
      return deleted;
    },
  };
}

export function redisHarness(flavour: RedisFlavour): () => Promise<StoreHarness> {
  return async () => {
    const keyPrefix = `${uniqueName(flavour)}:`;
    const main = await connectRedis(flavour);
    const extra: TestRedisClient[] = [];
    return {
      store: new RedisSeenEventStore(main.client, { keyPrefix }),
      async connections(count) {
        while (extra.length < count) extra.push(await connectRedis(flavour));
        return extra.slice(0, count).map((c) => new RedisSeenEventStore(c.client, { keyPrefix }));
      },
      wait: sleep,
      async close() {
        await main.deleteByPrefix(keyPrefix);
        await Promise.all([main, ...extra].map((c) => c.close()));
      },
    };
  };
}
