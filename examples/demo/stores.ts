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
  checkArgs(args);
  const run = `${Date.now().toString(36)}${process.pid}`;
  const redisUrl = valueOf(args, '--redis');
  const postgresUrl = valueOf(args, '--postgres');
  if (redisUrl !== undefined) {
    const { createClient } = await import('redis');
    const client = createClient({ url: redisUrl, disableOfflineQueue: true, socket: { reconnectStrategy: false } });
    client.on('error', () => undefined);
    await client.connect().catch((error: unknown) => {
      throw new DemoUsageError(`cannot reach Redis at ${redisUrl}: ${(error as Error).message}. Is redis-server running?`);
    });
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
    await store.createTable().catch(async (error: unknown) => {
      await pool.end();
      throw new DemoUsageError(`cannot use PostgreSQL at ${postgresUrl}: ${(error as Error).message}. Is it running?`);
    });
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

/** Only `--redis URL` or `--postgres URL`: anything else is a mistake worth saying, not ignoring. */
function checkArgs(args: readonly string[]): void {
  const usage = 'usage: npm run demo [-- --redis redis://127.0.0.1:6379 | -- --postgres postgres://postgres@127.0.0.1:5432/test]';
  const flags = args.filter((arg, i) => i % 2 === 0);
  if (args.length > 2 || flags.some((flag) => flag !== '--redis' && flag !== '--postgres')) {
    throw new DemoUsageError(`unknown arguments: ${args.join(' ')}\n${usage}`);
  }
}

/** A mistake in the demo's command line or environment: printed as one line, without a stack trace. */
export class DemoUsageError extends Error {}

function valueOf(args: readonly string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  if (at === -1) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) {
    throw new DemoUsageError(`${flag} needs a URL, e.g. ${flag} ${example(flag)}`);
  }
  return value;
}

function example(flag: string): string {
  return flag === '--redis' ? 'redis://127.0.0.1:6379' : 'postgres://postgres@127.0.0.1:5432/test';
}
