import pg from 'pg';
import { PostgresSeenEventStore } from '../../src/idempotency/postgres.js';
import type { StoreHarness } from './store-contract.js';
import { DATABASE_URL, sleep, uniqueName } from './servers.js';

/** A pool on the test database; idle clients that lose their server are dropped, not thrown. */
export function testPool(options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10, ...options });
  pool.on('error', () => undefined);
  return pool;
}

/** Drops the store's tables (the seen-event table and its `_applied` companion). */
export async function dropTables(db: pg.Pool | pg.Client, table: string): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS "${table}", "${table}_applied"`);
}

export function postgresHarness(): () => Promise<StoreHarness> {
  return async () => {
    const table = uniqueName('pg');
    const pool = testPool({ max: 20 });
    const store = new PostgresSeenEventStore(pool, { table });
    await store.createTable();
    return {
      store,
      // One store over a pool of 20 connections: 50 callers race across separate sessions.
      connections: async (count) => Array.from({ length: count }, () => store),
      wait: sleep,
      async close() {
        await dropTables(pool, table);
        await pool.end();
      },
    };
  };
}
