// Idempotency store rows (issue 5): memory-store processOnce throughput, and bytes per retained entry.
// Redis and PostgreSQL rows (stores-remote.mjs) run in `extra`, in rounds of their own (an operation there is
// 100 events over the network, not a microsecond call). `--stores=memory,redis,postgres` picks some.
import { randomUUID } from 'node:crypto';
import { fmtOps, fmtRatio, opsPerSecond, ratio, table } from './harness.mjs';
import { postgresRows, redisRows } from './stores-remote.mjs';

const picked = process.argv.find((a) => a.startsWith('--stores='))?.split('=')[1]?.split(',') ?? ['memory', 'redis', 'postgres'];

const ours = await import(new URL('../dist/index.js', import.meta.url));

export const name = 'stores';
export const title = 'Idempotency stores';
export const unavailableReason = 'MemorySeenEventStore/processOnce are not in dist/index.js yet';

export function available() {
  return typeof ours.processOnce === 'function' && typeof ours.MemorySeenEventStore === 'function';
}

function must(cond, what) {
  if (!cond) throw new Error(`bench check failed: ${what}`);
}

/** Fresh ids, made ahead so that making them is not timed. */
function idSource() {
  const ids = Array.from({ length: 1 << 16 }, () => randomUUID());
  let i = 0;
  let round = 0;
  return () => {
    if (i === ids.length) {
      i = 0;
      round++;
    }
    return `${ids[i++]}-${round}`;
  };
}

export async function cases() {
  if (!picked.includes('memory')) return [];
  const work = () => 1;
  const store = new ours.MemorySeenEventStore();
  const nextId = idSource();
  const doneId = randomUUID();
  await ours.processOnce(store, doneId, work);
  // The least an in-process "once per id" can do: one Map lookup, one insert, run the work.
  const bare = new Map();
  const nextBareId = idSource();
  const bareOnce = async (id) => {
    if (bare.has(id)) return { status: 'duplicate' };
    if (bare.size >= 100_000) bare.clear();
    bare.set(id, Date.now() + 8 * 86_400_000);
    return { status: 'processed', result: await work() };
  };
  return [
    {
      id: 'memory',
      label: 'memory store',
      rows: [
        { id: 'bare', label: 'BASELINE: Map lookup + insert + work (async), cleared at 100,000', async: true, fn: () => bareOnce(nextBareId()) },
        {
          id: 'first',
          label: 'processOnce, first delivery (claim, work, complete)',
          async: true,
          fn: () => ours.processOnce(store, nextId(), work),
          check: async () => must((await ours.processOnce(store, nextId(), work)).status === 'processed', 'first delivery runs'),
        },
        {
          id: 'duplicate',
          label: 'processOnce, duplicate of a done event',
          async: true,
          fn: () => ours.processOnce(store, doneId, work),
          check: async () => must((await ours.processOnce(store, doneId, work)).status === 'duplicate', 'duplicate skipped'),
        },
      ],
    },
  ];
}

export function report(samples) {
  const [c] = [...samples.keys()];
  if (!c) return '';
  const s = samples.get(c);
  const label = (id) => c.rows.find((r) => r.id === id).label;
  return [
    '### Memory store: processOnce (store of up to 100,000 ids, default settings)\n',
    table(
      ['row', 'time / baseline (median [95% interval])', 'ops/s (median, orientation only)'],
      c.rows.map((r) => [r.label, r.id === 'bare' ? '1 (baseline)' : fmtRatio(ratio(s, r.id, 'bare')), fmtOps(opsPerSecond(s, r.id))]),
    ),
    '',
    `The baseline is ${label('bare').replace('BASELINE: ', '')}: no lease, no token, no release on failure.`,
    '',
  ].join('\n');
}

/** Heap per retained entry: 1,000,000 completed ids in one store, measured with heapUsed deltas after full GCs. */
export async function extra(settings) {
  let text = picked.includes('memory') ? await memoryHeap(settings) : '';
  if (picked.includes('redis')) {
    settings.log('  Redis: processOnce vs raw EVALSHA, 50 concurrent callers');
    text += '\n' + (await redisRows(settings));
  }
  if (picked.includes('postgres')) {
    settings.log('  PostgreSQL: processOnce vs raw statements, 50 concurrent callers');
    text += '\n' + (await postgresRows(settings));
  }
  return text;
}

async function memoryHeap(settings) {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') return 'Bytes per entry: skipped (run with --expose-gc).\n';
  const count = settings.quick ? 200_000 : 1_000_000;
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const work = () => 1;
  const start = heap();
  // Ids as a handler holds them: each parsed from its own delivery body.
  const ids = new Array(count);
  for (let i = 0; i < count; i++) ids[i] = JSON.parse(`{"event":{"id":"${randomUUID()}"}}`).event.id;
  const withIds = heap();
  const store = new ours.MemorySeenEventStore({ maxEntries: count });
  const t0 = process.hrtime.bigint();
  for (const id of ids) await ours.processOnce(store, id, work);
  const fillMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const filled = heap();
  must(store.size === count, `store holds ${count} ids`);
  const idBytes = (withIds - start) / count; // a 36-character id string and its slot in the array
  const storeBytes = (filled - withIds) / count;
  const keepAlive = [ids.length, store.size];
  const text = [
    `### Memory store: heap per retained entry at ${count.toLocaleString('en')} entries\n`,
    table(
      ['measure', 'bytes per entry', 'target'],
      [
        ['store structures (ids already on the heap, as a parsed delivery holds them)', storeBytes.toFixed(0), '≤ 250'],
        ['the id itself (a 36-character UUID string, plus 8 B for its slot in the list of ids)', idBytes.toFixed(0), '–'],
        ['store structures + id string', (storeBytes + idBytes - 8).toFixed(0), '–'],
      ],
    ),
    '',
    `Filled by ${count.toLocaleString('en')} sequential \`processOnce\` calls in ${(fillMs / 1000).toFixed(1)} s. ` +
      'Measured as `process.memoryUsage().heapUsed` deltas after two full GCs (`--expose-gc`). ' +
      `Target ${storeBytes <= 250 ? 'met' : 'missed'}: ${storeBytes.toFixed(0)} B per entry.`,
    '',
  ].join('\n');
  if (keepAlive[0] !== keepAlive[1]) throw new Error('unreachable');
  return text;
}

