import type { AppliedOrderStore, SeenEventStore } from 'allthings-webhooks';
import { MemorySeenEventStore } from 'allthings-webhooks';
import { PostgresSeenEventStore } from 'allthings-webhooks/postgres';
import { RedisSeenEventStore } from 'allthings-webhooks/redis';

/** A store for the demo, and how to clean up what the run wrote. */
export interface DemoStore {
  name: string;
  store: SeenEventStore & AppliedOrderStore;
  close(): Promise<void>;
}

/** `--redis URL`, `--postgres URL`, or the in-memory default. Each run uses its own keys / tables. */
export async function openStore(args: readonly string[]): Promise<DemoStore> {
  const run = `${Date.now().toString(36)}${process.pid}`;
  const redisUrl = valueOf(args, '--redis');
  const postgresUrl = valueOf(args, '--postgres');
  if (redisUrl !== undefined) {
    const { createClient } = await import('redis');
    const client = createClient({ url: redisUrl, disableOfflineQueue: true });
    await client.connect();
    const prefix = `allthings:demo:${run}:`;
    return {
      name: `Redis at ${redisUrl} (keys ${prefix}*)`,
      store: new RedisSeenEventStore(client, { keyPrefix: prefix }),
      async close() {
        const keys = await client.keys(`${prefix}*`);
        if (keys.length > 0) await client.del(keys);
        await client.quit();
      },
    };
  }
  if (postgresUrl !== undefined) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: postgresUrl, max: 4 });
    const table = `allthings_demo_${run}`;
    const store = new PostgresSeenEventStore(pool, { table });
    await store.createTable();
    return {
      name: `PostgreSQL at ${postgresUrl} (table ${table})`,
      store,
      async close() {
        await pool.query(`DROP TABLE IF EXISTS "${table}", "${table}_applied"`);
        await pool.end();
      },
    };
  }
  return { name: 'in memory', store: new MemorySeenEventStore(), close: async () => undefined };
}

function valueOf(args: readonly string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  if (at === -1) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a URL, e.g. ${flag} ${example(flag)}`);
  return value;
}

function example(flag: string): string {
  return flag === '--redis' ? 'redis://127.0.0.1:6379' : 'postgres://postgres@127.0.0.1:5432/test';
}
