// One webhook receiver process for multiprocess.test.ts. Deliveries come in over IPC; each runs through
// processOnce on the shared store; the work's effect is a row / list entry on the same server, which the
// test counts afterwards. Started with `node --import tsx`.
import pg from 'pg';
import { createClient } from 'redis';
import { StoreUnavailableError } from '../../src/idempotency/errors.js';
import { PostgresSeenEventStore } from '../../src/idempotency/postgres.js';
import { processOnce, type ProcessOnceResult } from '../../src/idempotency/process-once.js';
import { RedisSeenEventStore } from '../../src/idempotency/redis.js';

export interface Delivery {
  readonly type: 'deliver';
  readonly deliveryId: number;
  readonly eventId: string;
  /** The work fails on the event's first attempt (counted across all workers). */
  readonly failFirst: boolean;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'hanging'; eventId: string }
  | { type: 'result'; deliveryId: number; status: 'processed' | 'duplicate' | 'in_flight' | 'failed' | 'unavailable' };

/** Writes the work's effect. */
type Record = () => Promise<void>;

interface Backend {
  /** Counts an attempt at the work, durably and outside any transaction; answers the attempt number. */
  attempt(eventId: string): Promise<number>;
  /** Runs processOnce for one delivery; the work gets the function that writes its effect. */
  run(eventId: string, work: (record: Record) => Promise<void>): Promise<ProcessOnceResult<void>>;
}

const LEASE_MS = Number(process.env.MP_LEASE_MS);
const HANG_AT = Number(process.env.MP_HANG_AT ?? 0);
const name = process.env.MP_NAME!;
const worker = Number(process.env.MP_WORKER);

async function redisBackend(): Promise<Backend> {
  const client = createClient({ url: process.env.MP_URL });
  client.on('error', () => undefined);
  await client.connect();
  const store = new RedisSeenEventStore(client, { keyPrefix: `${name}:` });
  const record = (eventId: string) => async () => {
    await client.rPush(`${name}:completed`, `${eventId}|${worker}`);
  };
  return {
    attempt: (eventId) => client.incr(`${name}:attempts:${eventId}`),
    run: (eventId, work) => processOnce(store, eventId, () => work(record(eventId)), { leaseMs: LEASE_MS }),
  };
}

async function postgresBackend(): Promise<Backend> {
  const pool = new pg.Pool({ connectionString: process.env.MP_URL, max: 10 });
  pool.on('error', () => undefined);
  const store = new PostgresSeenEventStore(pool, { table: name });
  const record = (db: pg.Pool | pg.PoolClient, eventId: string) => async () => {
    await db.query(`INSERT INTO "${name}_work" (event_id, worker) VALUES ($1, $2)`, [eventId, worker]);
  };
  const attempt = async (eventId: string) =>
    (
      await pool.query(
        `INSERT INTO "${name}_attempts" AS a VALUES ($1, 1) ON CONFLICT (event_id) DO UPDATE SET n = a.n + 1 RETURNING n`,
        [eventId],
      )
    ).rows[0].n as number;
  if (process.env.MP_MODE !== 'tx') {
    return {
      attempt,
      run: (eventId, work) => processOnce(store, eventId, () => work(record(pool, eventId)), { leaseMs: LEASE_MS }),
    };
  }
  // The same-transaction pattern: the dedup row and the effect commit (or vanish) together.
  return {
    attempt,
    async run(eventId, work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const txStore = new PostgresSeenEventStore(client, { table: name });
        const outcome = await processOnce(txStore, eventId, () => work(record(client, eventId)), { leaseMs: LEASE_MS });
        await client.query('COMMIT');
        return outcome;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

const backend = process.env.MP_STORE === 'redis' ? await redisBackend() : await postgresBackend();
let works = 0;
const send = (message: WorkerMessage) => process.send!(message);

process.on('message', async (message: Delivery) => {
  let status: Extract<WorkerMessage, { type: 'result' }>['status'];
  try {
    const outcome = await backend.run(message.eventId, async (record) => {
      works += 1;
      if (works === HANG_AT) {
        // Mid-work: the claim is held, the effect not yet written. The test SIGKILLs us now.
        send({ type: 'hanging', eventId: message.eventId });
        await new Promise(() => undefined);
      }
      const attempt = await backend.attempt(message.eventId);
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8));
      if (message.failFirst && attempt === 1) throw new Error('injected failure of a first attempt');
      await record();
    });
    status = outcome.status;
  } catch (error) {
    status = error instanceof StoreUnavailableError ? 'unavailable' : 'failed';
  }
  send({ type: 'result', deliveryId: message.deliveryId, status });
});

send({ type: 'ready' });
