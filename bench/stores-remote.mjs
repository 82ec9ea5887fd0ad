// Redis and PostgreSQL rows of the stores group (issue 5): `processOnce` with 50 concurrent callers against a
// loop of the same raw commands through the same client, 50 concurrent as well. The raw commands are not
// copied from the store's source: a counting wrapper around the client records what the store sends for
// one processed event (script SHAs and arguments for Redis, statement texts and values for PostgreSQL), and
// the baseline replays exactly that with fresh ids and tokens. The same wrapper counts round trips per
// processed event. Each run uses its own key prefix / tables and removes them afterwards; a server that is
// not reachable is skipped with a notice. Never flushes or stops a server (they are shared).
import { randomBytes, randomUUID } from 'node:crypto';
import { fmtOps, medianInterval, runRounds, table } from './harness.mjs';

const CALLERS = 50;
const PER_CALLER = 2; // one timed operation = 50 callers × 2 events each = 100 processed events
const EVENTS_PER_OP = CALLERS * PER_CALLER;
const RETENTION_MS = 10 * 60_000; // leftovers (if cleanup is interrupted) expire by themselves
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const dist = (name) => import(new URL(`../dist/${name}.js`, import.meta.url));
const work = () => undefined; // no-op work

function must(cond, what) {
  if (!cond) throw new Error(`bench check failed: ${what}`);
}

/** 50 callers, each running `perEvent` for PER_CALLER fresh ids one after the other. */
function concurrent(perEvent, nextId) {
  return () => {
    const callers = new Array(CALLERS);
    for (let c = 0; c < CALLERS; c++) {
      callers[c] = (async () => {
        for (let i = 0; i < PER_CALLER; i++) await perEvent(nextId());
      })();
    }
    return Promise.all(callers);
  };
}

/** Ids `<run>-<n>`; `count()` says how many were handed out, so that cleanup can name every key. */
function ids(run) {
  let n = 0;
  return { next: () => `${run}-${n++}`, count: () => n };
}

async function timeRows(name, rows, settings) {
  const c = { id: name, label: name, rows };
  const samples = await runRounds([c], {
    rounds: settings.quick ? 9 : 15,
    targetMs: settings.quick ? 40 : 60,
    slices: 3,
    warmupRounds: 1,
    log: settings.log,
  });
  const s = samples.get(c);
  // Throughput ratio per round: processOnce events/s over raw events/s = raw time / processOnce time.
  const ratio = medianInterval(s.get('raw').map((raw, i) => raw / s.get('processOnce')[i]));
  const eventsPerSecond = (id) => (1e9 / medianInterval(s.get(id)).median) * EVENTS_PER_OP;
  return { ratio, eventsPerSecond, rounds: s.get('raw').length, samples: s };
}

function report(title, t, trips, rawLabel, notes) {
  const f2 = (v) => v.toFixed(2);
  return [
    `### ${title}: processOnce, ${CALLERS} concurrent callers, vs the same raw commands\n`,
    table(
      ['row', 'events/s (median, orientation only)', 'round trips per processed event', 'throughput / raw (median [95% interval])', 'target'],
      [
        [rawLabel, fmtOps(t.eventsPerSecond('raw')), String(trips.raw), '1 (baseline)', ''],
        [
          `processOnce(store, id, noop), ${CALLERS} callers`,
          fmtOps(t.eventsPerSecond('processOnce')),
          String(trips.store),
          `**${f2(t.ratio.median)}x** [${f2(t.ratio.lo)}–${f2(t.ratio.hi)}]`,
          `≥ 0.9x, 2 round trips: ${t.ratio.median >= 0.9 && trips.store === 2 ? 'met' : 'missed'}`,
        ],
        ...(t.extraRows ?? []),
      ],
    ),
    '',
    notes,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------

export async function redisRows(settings) {
  let redis;
  try {
    redis = await import('redis');
  } catch {
    return '### Redis\n\nSkipped: the `redis` client is not installed (`npm ci` in the repository root installs it).\n';
  }
  const client = redis.createClient({ url: REDIS_URL, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    return `### Redis\n\nSkipped: no Redis at ${REDIS_URL} (${error?.message ?? error}).\n`;
  }
  const { RedisSeenEventStore } = await dist('redis');
  const { processOnce } = await dist('index');
  const run = randomBytes(6).toString('hex');
  const prefix = `bench:allthings-webhooks:${run}:`;
  const idSource = ids(run);
  const options = { retentionMs: RETENTION_MS };
  try {
    // 1. What the store sends per processed event, through a counting wrapper (same client underneath).
    const sent = [];
    const counted = {
      evalSha: (sha, o) => (sent.push({ cmd: 'EVALSHA', sha, keys: o.keys, args: o.arguments }), client.evalSha(sha, o)),
      eval: (src, o) => (sent.push({ cmd: 'EVAL', keys: o.keys, args: o.arguments }), client.eval(src, o)),
    };
    const countingStore = new RedisSeenEventStore(counted, { keyPrefix: prefix });
    must((await processOnce(countingStore, idSource.next(), work, options)).status === 'processed', 'first event processed');
    sent.length = 0; // the first event may load the scripts (NOSCRIPT, then EVAL)
    const probeId = idSource.next();
    must((await processOnce(countingStore, probeId, work, options)).status === 'processed', 'probe processed');
    must(sent.length === 2 && sent.every((s) => s.cmd === 'EVALSHA'), `2 EVALSHA per event (got ${sent.map((s) => s.cmd).join(', ')})`);
    const [claim, complete] = sent;
    must(claim.keys.length === 1 && claim.keys[0] === `${prefix}event:${probeId}`, 'claim key');
    const token = claim.args[0];
    must(complete.args[0] === token, 'complete carries the claim token');
    const leaseArg = claim.args[1];
    const retentionArg = complete.args[1];
    must(claim.args.length === 2 && complete.args.length === 2, 'two arguments each');
    // Round trips under the timed shape: 50 concurrent callers.
    sent.length = 0;
    const before = idSource.count();
    await concurrent((id) => processOnce(countingStore, id, work, options), idSource.next)();
    const storeTrips = sent.length / (idSource.count() - before);

    // 2. The raw loop: the same two scripts with the same arguments, through the same client.
    const rawEvent = async (id) => {
      const key = `${prefix}event:${id}`;
      const t = randomUUID();
      if ((await client.evalSha(claim.sha, { keys: [key], arguments: [t, leaseArg] })) !== 1) throw new Error('raw claim not acquired');
      await work();
      await client.evalSha(complete.sha, { keys: [key], arguments: [t, retentionArg] });
    };
    const rawTrips = 2;
    const store = new RedisSeenEventStore(client, { keyPrefix: prefix });
    const untimed = new RedisSeenEventStore(client, { keyPrefix: prefix, commandTimeoutMs: Infinity });
    const viaProcessOnce = (s) =>
      concurrent(async (id) => {
        if ((await processOnce(s, id, work, options)).status !== 'processed') throw new Error('not processed');
      }, idSource.next);
    const t = await timeRows(
      'redis',
      [
        { id: 'raw', label: 'raw', async: true, fn: concurrent(rawEvent, idSource.next) },
        { id: 'processOnce', label: 'processOnce', async: true, fn: viaProcessOnce(store) },
        // Diagnostics: where processOnce's time goes beyond the two commands.
        { id: 'untimed', label: 'processOnce, commandTimeoutMs: Infinity', async: true, fn: viaProcessOnce(untimed) },
        {
          id: 'direct',
          label: 'store.claim + store.complete, no processOnce',
          async: true,
          fn: concurrent(async (id) => {
            const c = await store.claim(id, 300_000);
            if (c.state !== 'acquired') throw new Error('not acquired');
            await work();
            await store.complete(id, c.token, RETENTION_MS);
          }, idSource.next),
        },
      ],
      settings,
    );
    const diag = (id, label) => {
      const r = medianInterval(t.samples.get('raw').map((raw, i) => raw / t.samples.get(id)[i]));
      return [label, fmtOps(t.eventsPerSecond(id)), '2', `${r.median.toFixed(2)}x [${r.lo.toFixed(2)}–${r.hi.toFixed(2)}]`, 'diagnostic'];
    };
    t.extraRows = [
      diag('untimed', `diagnostic: processOnce with \`commandTimeoutMs: Infinity\` (no timer and Promise.race per command)`),
      diag('direct', 'diagnostic: `store.claim` + `store.complete` (default timeout), without processOnce (no lease timer, no AbortController)'),
    ];
    return report(
      'Redis (node-redis ' + (await versionOf('redis')) + ')',
      t,
      { raw: rawTrips, store: storeTrips },
      `BASELINE: EVALSHA claim + EVALSHA complete (the store's scripts and arguments), ${CALLERS} callers`,
      `Server ${REDIS_URL}, keys under a fresh prefix removed afterwards. Round trips counted by a wrapper around ` +
        `the client's \`evalSha\`/\`eval\` while ${CALLERS} callers processed ${CALLERS * PER_CALLER} events ` +
        `(the store sent ${sent.length} commands). One timed operation is ${CALLERS} callers × ${PER_CALLER} events; ` +
        `${t.rounds} rounds. processOnce also draws a token (\`randomUUID\`), which the baseline does too, and runs ` +
        'its lease timer and abort signal, which the baseline does not.',
    );
  } finally {
    await cleanupRedis(client, prefix, idSource.count(), run).catch((e) => settings.log(`  redis cleanup failed: ${e.message}`));
    await client.quit().catch(() => client.destroy?.());
  }
}

async function cleanupRedis(client, prefix, count, run) {
  for (let i = 0; i < count; i += 1000) {
    const keys = [];
    for (let j = i; j < Math.min(count, i + 1000); j++) keys.push(`${prefix}event:${run}-${j}`);
    await client.unlink(keys);
  }
  // Anything else under the prefix (there should be nothing).
  for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    const keys = Array.isArray(batch) ? batch : [batch];
    if (keys.length) await client.unlink(keys);
  }
}

// ---------------------------------------------------------------------------------------------------------

export async function postgresRows(settings) {
  let pg;
  try {
    pg = (await import('pg')).default;
  } catch {
    return '### PostgreSQL\n\nSkipped: the `pg` client is not installed (`npm ci` in the repository root installs it).\n';
  }
  const pool = new pg.Pool({ connectionString: DATABASE_URL, connectionTimeoutMillis: 1000 });
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    return `### PostgreSQL\n\nSkipped: no PostgreSQL at ${DATABASE_URL.replace(/:[^:@/]*@/, '@')} (${error?.message ?? error}).\n`;
  }
  const { PostgresSeenEventStore } = await dist('postgres');
  const { processOnce } = await dist('index');
  const run = randomBytes(6).toString('hex');
  const tableName = `bench_seen_${run}`;
  const idSource = ids(run);
  const options = { retentionMs: RETENTION_MS };
  try {
    const sent = [];
    const counted = { query: (text, values) => (sent.push({ text, values }), pool.query(text, values)) };
    const countingStore = new PostgresSeenEventStore(counted, { table: tableName });
    await countingStore.createTable();
    must((await processOnce(countingStore, idSource.next(), work, options)).status === 'processed', 'first event processed');
    sent.length = 0;
    const probeId = idSource.next();
    must((await processOnce(countingStore, probeId, work, options)).status === 'processed', 'probe processed');
    must(sent.length === 2, `2 statements per event (got ${sent.length})`);
    const [claim, complete] = sent;
    must(claim.values[0] === probeId && complete.values[0] === probeId, 'id is $1');
    const token = claim.values[1];
    must(complete.values[1] === token, 'complete carries the claim token');
    const leaseValue = claim.values[2];
    const retentionValue = complete.values[2];
    must(claim.values.length === 3 && complete.values.length === 3, 'three values each');
    sent.length = 0;
    const before = idSource.count();
    await concurrent((id) => processOnce(countingStore, id, work, options), idSource.next)();
    const storeTrips = sent.length / (idSource.count() - before);

    const rawEvent = async (id) => {
      const t = randomUUID();
      const { rows } = await pool.query(claim.text, [id, t, leaseValue]);
      if (rows[0]?.token !== t) throw new Error('raw claim not acquired');
      await work();
      await pool.query(complete.text, [id, t, retentionValue]);
    };
    const store = new PostgresSeenEventStore(pool, { table: tableName });
    const t = await timeRows(
      'postgres',
      [
        { id: 'raw', label: 'raw', async: true, fn: concurrent(rawEvent, idSource.next) },
        {
          id: 'processOnce',
          label: 'processOnce',
          async: true,
          fn: concurrent(async (id) => {
            if ((await processOnce(store, id, work, options)).status !== 'processed') throw new Error('not processed');
          }, idSource.next),
        },
      ],
      settings,
    );
    return report(
      'PostgreSQL (pg ' + (await versionOf('pg')) + `, Pool of ${pool.options.max ?? 10})`,
      t,
      { raw: 2, store: storeTrips },
      `BASELINE: the store's claim INSERT … ON CONFLICT … RETURNING + complete UPDATE … RETURNING, same texts and values, ${CALLERS} callers`,
      `Server ${DATABASE_URL.replace(/:[^:@/]*@/, '@')}, table \`${tableName}\` (and its \`_applied\` companion) ` +
        `created by \`store.createTable()\` and dropped afterwards. Round trips counted by a wrapper around \`pool.query\` ` +
        `while ${CALLERS} callers processed ${CALLERS * PER_CALLER} events (the store sent ${sent.length} statements). ` +
        `One timed operation is ${CALLERS} callers × ${PER_CALLER} events through one pool; ${t.rounds} rounds.`,
    );
  } finally {
    await pool.query(`DROP TABLE IF EXISTS "${tableName}", "${tableName}_applied"`).catch((e) => settings.log(`  postgres cleanup failed: ${e.message}`));
    await pool.end().catch(() => {});
  }
}

async function versionOf(pkg) {
  try {
    const { createRequire } = await import('node:module');
    return createRequire(import.meta.url)(`${pkg}/package.json`).version;
  } catch {
    return '?';
  }
}
