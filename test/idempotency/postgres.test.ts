import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/idempotency/errors.js';
import { PostgresSeenEventStore, seenEventsDdl, type PostgresQueryable } from '../../src/idempotency/postgres.js';
import { processOnce } from '../../src/idempotency/process-once.js';
import { dropTables, postgresHarness, testPool } from '../support/postgres-harness.js';
import { DATABASE_URL, freePort, serverMissing, sleep, uniqueName } from '../support/servers.js';
import { describeStoreContract } from '../support/store-contract.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const skip = await serverMissing('PostgreSQL');

describe.skipIf(skip)('PostgreSQL', () => {
  describeStoreContract('PostgreSQL via a pg Pool', postgresHarness());
});

describe.skipIf(skip)('PostgresSeenEventStore', () => {
  let pool: pg.Pool;
  const tables: string[] = [];
  beforeAll(() => {
    pool = testPool();
  });
  afterAll(async () => {
    for (const table of tables) await dropTables(pool, table);
    await pool?.end();
  });
  const newTable = (label: string) => {
    const table = uniqueName(label);
    tables.push(table);
    return table;
  };

  it('rejects something without query() with a TypeError that shows the fix', () => {
    expect(() => new PostgresSeenEventStore({} as PostgresQueryable)).toThrow(/new pg\.Pool\(\)/);
  });

  it.each(['', 'a;drop table x', 'a.b.c', '"quoted"', 'has space', '1starts_with_digit', 'x'.repeat(64), 'a..b'])(
    'rejects the table name %j',
    (table) => {
      expect(() => new PostgresSeenEventStore(pool, { table })).toThrow(TypeError);
      expect(() => seenEventsDdl({ table })).toThrow(TypeError);
    },
  );

  it('quotes table names exactly as written and derives the applied-order table from them', () => {
    expect(seenEventsDdl()).toContain('CREATE TABLE IF NOT EXISTS "allthings_seen_events" (');
    expect(seenEventsDdl()).toContain('CREATE TABLE IF NOT EXISTS "allthings_seen_events_applied" (');
    const ddl = seenEventsDdl({ table: 'Billing.Webhook_Events' });
    expect(ddl).toContain('"Billing"."Webhook_Events" (');
    expect(ddl).toContain('"Billing"."Webhook_Events_applied" (');
    expect(seenEventsDdl({ table: 'a', appliedTable: 'other.b' })).toContain('"other"."b" (');
  });

  it('creates its tables idempotently, also in another schema', async () => {
    const schema = uniqueName('schema');
    await pool.query(`CREATE SCHEMA "${schema}"`);
    try {
      const store = new PostgresSeenEventStore(pool, { table: `${schema}.events` });
      await store.createTable();
      await store.createTable();
      const claim = await store.claim('evt', 60_000);
      expect(claim.state).toBe('acquired');
      const { rows } = await pool.query(`SELECT event_id FROM "${schema}"."events"`);
      expect(rows).toEqual([{ event_id: 'evt' }]);
    } finally {
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    }
  });

  it('runs the exported DDL as a migration would', async () => {
    const table = newTable('ddl');
    await pool.query(seenEventsDdl({ table }));
    const store = new PostgresSeenEventStore(pool, { table });
    expect(await store.claim('evt', 60_000)).toMatchObject({ state: 'acquired' });
  });

  it('purges expired rows only, and in batches when given a limit', async () => {
    const table = newTable('purge');
    const store = new PostgresSeenEventStore(pool, { table });
    await store.createTable();
    for (let i = 0; i < 5; i++) {
      const claim = await store.claim(`short-${i}`, 60_000);
      if (claim.state === 'acquired') await store.complete(`short-${i}`, claim.token, 20);
    }
    await store.claim('abandoned', 20);
    await store.recordApplied('old-resource', 1, 20);
    const kept = await store.claim('kept', 60_000);
    await store.recordApplied('live-resource', 2, 60_000);
    await sleep(150);
    expect(await store.purgeExpired({ limit: 2 })).toBe(3); // 2 events + 1 applied row
    expect(await store.purgeExpired()).toBe(4);
    expect(await store.purgeExpired()).toBe(0);
    const { rows } = await pool.query(`SELECT event_id FROM "${table}"`);
    expect(rows).toEqual([{ event_id: 'kept' }]);
    expect(await store.lastApplied('live-resource')).toBe(2);
    expect(kept.state).toBe('acquired');
    await expect(store.purgeExpired({ limit: 0 })).rejects.toThrow(TypeError);
  });

  describe('the same-transaction pattern', () => {
    let table: string;
    let store: PostgresSeenEventStore;
    beforeAll(async () => {
      table = newTable('tx');
      store = new PostgresSeenEventStore(pool, { table });
      await store.createTable();
      await pool.query(`CREATE TABLE "${table}_tickets" (event_id text)`);
      tables.push(`${table}_tickets`);
    });

    async function inTransaction(eventId: string, then: 'COMMIT' | 'ROLLBACK') {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const txStore = new PostgresSeenEventStore(client, { table });
        const outcome = await processOnce(txStore, eventId, () =>
          client.query(`INSERT INTO "${table}_tickets" VALUES ($1)`, [eventId]),
        );
        await client.query(then);
        return outcome.status;
      } finally {
        client.release();
      }
    }

    const tickets = async (eventId: string) =>
      (await pool.query(`SELECT count(*)::int AS n FROM "${table}_tickets" WHERE event_id = $1`, [eventId])).rows[0].n;

    it('commits the dedup row and the business write together', async () => {
      expect(await inTransaction('tx-commit', 'COMMIT')).toBe('processed');
      expect(await tickets('tx-commit')).toBe(1);
      expect(await inTransaction('tx-commit', 'COMMIT')).toBe('duplicate');
      expect(await tickets('tx-commit')).toBe(1);
    });

    it('rolls both back together, so the retry processes the event', async () => {
      expect(await inTransaction('tx-rollback', 'ROLLBACK')).toBe('processed');
      expect(await tickets('tx-rollback')).toBe(0);
      expect(await store.claim('tx-rollback', 60_000)).toMatchObject({ state: 'acquired' });
    });

    it('makes a concurrent delivery wait for the open transaction, then answer duplicate', async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const txStore = new PostgresSeenEventStore(client, { table });
        let concurrent: Promise<Awaited<ReturnType<typeof processOnce>>> | undefined;
        await processOnce(txStore, 'tx-wait', async () => {
          await client.query(`INSERT INTO "${table}_tickets" VALUES ('tx-wait')`);
          concurrent = processOnce(store, 'tx-wait', () => 'must not run');
          await sleep(100);
        });
        await client.query('COMMIT');
        expect(await concurrent).toEqual({ status: 'duplicate' });
        expect(await tickets('tx-wait')).toBe(1);
      } finally {
        client.release();
      }
    });
  });
});

describe.skipIf(skip)('PostgreSQL unreachable', () => {
  it('answers StoreUnavailableError without running the work, and resumes when reachable again', { timeout: 60_000 }, async () => {
    const target = new URL(DATABASE_URL);
    const proxy = new TcpProxy(await freePort(), { host: target.hostname, port: Number(target.port || 5432) });
    await proxy.open();
    const viaProxy = new URL(DATABASE_URL);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const pool = testPool({ connectionString: viaProxy.toString(), max: 2, connectionTimeoutMillis: 2000 });
    const table = uniqueName('down');
    const store = new PostgresSeenEventStore(pool, { table });
    let runs = 0;
    const work = () => ++runs;
    try {
      await store.createTable();
      expect(await processOnce(store, 'before', work)).toEqual({ status: 'processed', result: 1, recorded: true });

      await proxy.close();
      for (const id of ['during-1', 'during-2']) {
        const failure = await processOnce(store, id, work).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(failure).toBeInstanceOf(StoreUnavailableError);
        expect((failure as StoreUnavailableError).cause).toBeInstanceOf(Error);
      }
      expect(runs).toBe(1);

      await proxy.open();
      let outcome: Awaited<ReturnType<typeof processOnce>> | undefined;
      for (let attempt = 0; attempt < 50 && outcome === undefined; attempt++) {
        outcome = await processOnce(store, 'during-1', work).catch(async (error: unknown) => {
          if (!(error instanceof StoreUnavailableError)) throw error;
          await sleep(100);
          return undefined;
        });
      }
      expect(outcome).toEqual({ status: 'processed', result: 2, recorded: true });
      expect(await processOnce(store, 'during-1', work)).toEqual({ status: 'duplicate' });
    } finally {
      await dropTables(pool, table).catch(() => undefined);
      await pool.end();
      await proxy.close();
    }
  });
});
