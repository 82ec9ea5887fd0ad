// Exactly once across processes: 4 receivers share one store; 300 events arrive 3 times each, shuffled and
// spread over the receivers; 20% of first attempts fail and are retried; one receiver is SIGKILLed in the
// middle of a work, and its lease has to expire before a retry can do that event. The work's effect is
// written to the same server, and every event's effect must exist exactly once.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { PostgresSeenEventStore } from '../../src/idempotency/postgres.js';
import { DATABASE_URL, REDIS_URL, serverMissing, uniqueName } from '../support/servers.js';
import type { Delivery, WorkerMessage } from './multiprocess-worker.js';

const EVENTS = 300;
const COPIES = 3;
const WORKERS = 4;
const LEASE_MS = 500;
const WINDOW = 8; // deliveries outstanding per worker, as a small HTTP server would have
const RETRY_AFTER_MS = 100; // the provider's back-off, shortened

interface Counts {
  deliveries: number;
  attempts: number;
  processed: number;
  duplicate: number;
  inFlight: number;
  failed: number;
  unavailable: number;
  lostToKill: number;
  killedWorker: number | undefined;
  hungEvent: string | undefined;
  /** in_flight answers to copies of the hung event after its worker was killed: its lease outlived it. */
  hungEventInFlight: number;
}

type Mode = 'lease' | 'tx';

async function runReceivers(store: 'redis' | 'postgres', mode: Mode, url: string, name: string): Promise<Counts> {
  const workerPath = fileURLToPath(new URL('./multiprocess-worker.ts', import.meta.url));
  const counts: Counts = {
    deliveries: EVENTS * COPIES,
    attempts: 0,
    processed: 0,
    duplicate: 0,
    inFlight: 0,
    failed: 0,
    unavailable: 0,
    lostToKill: 0,
    killedWorker: undefined,
    hungEvent: undefined,
    hungEventInFlight: 0,
  };

  const queue: Delivery[] = [];
  for (let i = 0; i < EVENTS; i++) {
    for (let copy = 0; copy < COPIES; copy++) {
      queue.push({ type: 'deliver', deliveryId: i * COPIES + copy, eventId: `evt-${i}`, failFirst: i % 5 === 0 });
    }
  }
  shuffle(queue);

  const workers: Array<{ child: ChildProcess; outstanding: Map<number, Delivery>; alive: boolean; window: number }> =
    [];
  for (let w = 0; w < WORKERS; w++) {
    const child = fork(workerPath, [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        MP_STORE: store,
        MP_MODE: mode,
        MP_URL: url,
        MP_NAME: name,
        MP_WORKER: String(w),
        MP_LEASE_MS: String(LEASE_MS),
        // Worker 0 hangs in one of its first works (it takes few deliveries when on a window of 1) and is
        // killed there.
        MP_HANG_AT: w === 0 ? (mode === 'lease' ? '4' : '25') : '0',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // With leases (no transaction around the effect), the worker to be killed takes one delivery at a
    // time, so the kill lands in the hung work, before its effect. A kill between some other work's effect
    // and its complete would repeat that effect on retry: the at-least-once window that only committing
    // the effect with the dedup row closes, which the `tx` mode shows with every worker at full window.
    workers.push({ child, outstanding: new Map(), alive: true, window: mode === 'lease' && w === 0 ? 1 : WINDOW });
  }
  await Promise.all(workers.map(({ child }) => once(child, 'message')));

  let acknowledged = 0;
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const retryLater = (delivery: Delivery) => {
    setTimeout(() => {
      queue.unshift(delivery);
      pump();
    }, RETRY_AFTER_MS);
  };
  const pump = () => {
    for (;;) {
      const free = workers.filter((w) => w.alive && w.outstanding.size < w.window);
      if (free.length === 0 || queue.length === 0) return;
      const target = free[Math.floor(Math.random() * free.length)]!;
      const delivery = queue.shift()!;
      target.outstanding.set(delivery.deliveryId, delivery);
      counts.attempts += 1;
      target.child.send(delivery);
    }
  };

  workers.forEach((entry, index) => {
    entry.child.on('message', (message: WorkerMessage) => {
      if (message.type === 'hanging') {
        // Killed mid-work: its open deliveries fail (the provider sees dropped connections and retries).
        entry.alive = false;
        counts.killedWorker = index;
        counts.hungEvent = message.eventId;
        entry.child.kill('SIGKILL');
        for (const delivery of entry.outstanding.values()) {
          counts.lostToKill += 1;
          retryLater(delivery);
        }
        entry.outstanding.clear();
        pump();
        return;
      }
      if (message.type !== 'result' || !entry.alive) return;
      const delivery = entry.outstanding.get(message.deliveryId);
      if (!delivery) return;
      entry.outstanding.delete(message.deliveryId);
      if (message.status === 'processed' || message.status === 'duplicate') {
        counts[message.status] += 1;
        acknowledged += 1;
        if (acknowledged === counts.deliveries) finish();
      } else {
        counts[message.status === 'in_flight' ? 'inFlight' : message.status] += 1;
        if (message.status === 'in_flight' && delivery.eventId === counts.hungEvent) counts.hungEventInFlight += 1;
        retryLater(delivery);
      }
      pump();
    });
    entry.child.on('exit', (code, signal) => {
      if (entry.alive) fail(new Error(`worker ${index} exited unexpectedly (${code ?? signal})`));
    });
  });

  pump();
  try {
    await finished;
  } finally {
    for (const entry of workers) {
      entry.alive = false;
      entry.child.kill('SIGKILL');
    }
  }
  return counts;
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

function assertExactlyOnce(label: string, mode: Mode, counts: Counts, completions: Map<string, number>): void {
  const doubled = [...completions].filter(([, n]) => n > 1).map(([id]) => id);
  const lost = Array.from({ length: EVENTS }, (_, i) => `evt-${i}`).filter((id) => !completions.has(id));
  const total = [...completions.values()].reduce((a, b) => a + b, 0);
  console.log(
    `${label}: ${counts.deliveries} deliveries (${EVENTS} events x ${COPIES}) took ${counts.attempts} attempts; ` +
      `answers received: processed ${counts.processed}, duplicate ${counts.duplicate}, in_flight ${counts.inFlight}, ` +
      `work failed ${counts.failed}, store unavailable ${counts.unavailable}; ` +
      `worker #${counts.killedWorker} was SIGKILLed in the work of ${counts.hungEvent}, cutting ${counts.lostToKill} deliveries ` +
      `(work it committed before dying has no answer, so processed answers can be fewer than effects); ` +
      `its event answered in_flight ${counts.hungEventInFlight} times until the lease expired; ` +
      `effects recorded ${total} for ${completions.size} events, doubled ${doubled.length}, lost ${lost.length}`,
  );
  expect(doubled).toEqual([]);
  expect(lost).toEqual([]);
  expect(total).toBe(EVENTS);
  expect(counts.killedWorker).toBe(0);
  expect(completions.get(counts.hungEvent!)).toBe(1);
  expect(counts.lostToKill).toBeGreaterThan(0);
  if (mode === 'lease') {
    // Every processed answer reached the test (the killed worker's only delivery was the hung one).
    expect(counts.processed).toBe(EVENTS);
    expect(counts.failed).toBe(EVENTS / 5);
  } else {
    // A killed worker takes some processed answers with it (those deliveries come back as duplicates), and
    // first attempts it had counted before dying no longer fail.
    expect(counts.processed).toBeLessThanOrEqual(EVENTS);
    expect(counts.failed).toBeGreaterThan(0);
  }
}

const redisMissing = await serverMissing('Redis');
const postgresMissing = await serverMissing('PostgreSQL');

describe('exactly once across processes', () => {
  it.skipIf(redisMissing)('Redis: 4 receivers, 900 deliveries, failures and a killed worker', { timeout: 60_000 }, async () => {
    const name = uniqueName('mp');
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    try {
      const counts = await runReceivers('redis', 'lease', REDIS_URL, name);
      const completions = new Map<string, number>();
      for (const entry of await client.lRange(`${name}:completed`, 0, -1)) {
        const id = entry.split('|')[0]!;
        completions.set(id, (completions.get(id) ?? 0) + 1);
      }
      assertExactlyOnce('Redis', 'lease', counts, completions);
    } finally {
      for await (const keys of client.scanIterator({ MATCH: `${name}:*`, COUNT: 1000 })) {
        if (keys.length > 0) await client.unlink(keys);
      }
      await client.close();
    }
  });

  it.skipIf(postgresMissing).each([
    ['lease', 'leases, effect written outside the dedup row'],
    ['tx', 'the same-transaction pattern, killed anywhere'],
  ] as const)('PostgreSQL (%s: %s): 4 receivers, 900 deliveries, failures and a killed worker', async (mode, _description) => {
    const name = uniqueName('mp');
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    try {
      await new PostgresSeenEventStore(pool, { table: name }).createTable();
      await pool.query(`CREATE TABLE "${name}_work" (event_id text NOT NULL, worker int NOT NULL)`);
      await pool.query(`CREATE TABLE "${name}_attempts" (event_id text PRIMARY KEY, n int NOT NULL)`);
      const counts = await runReceivers('postgres', mode, DATABASE_URL, name);
      const { rows } = await pool.query(`SELECT event_id, count(*)::int AS n FROM "${name}_work" GROUP BY event_id`);
      const completions = new Map(rows.map((r) => [r.event_id as string, r.n as number]));
      assertExactlyOnce(`PostgreSQL (${mode})`, mode, counts, completions);
    } finally {
      await pool.query(`DROP TABLE IF EXISTS "${name}", "${name}_applied", "${name}_work", "${name}_attempts"`);
      await pool.end();
    }
  }, 60_000);
});
