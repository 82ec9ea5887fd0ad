// Interleaved-rounds harness. Every row runs in this one process. Each round visits the cases in a random
// order; inside a case it runs `slices` passes over the case's rows, each pass in a fresh random order, and
// times every row for a fixed number of iterations per pass (calibrated once after warm-up). A row's time in
// a round is the fastest of its passes: load from other processes only ever adds time, so the minimum of
// short interleaved blocks filters most of it. Ratios are taken inside a round, between rows of the same
// case timed moments apart; we report the median ratio across rounds and a distribution-free 95% interval
// of that median (order statistics).

/**
 * @typedef {object} Row
 * @property {string} id            unique inside its case
 * @property {string} label
 * @property {() => unknown} fn     one operation; may return a promise when `async` is set
 * @property {boolean} [async]
 * @property {() => (void | Promise<void>)} [check]  throws unless the row accepts the valid input and rejects a tampered one
 *
 * @typedef {object} Case
 * @property {string} id
 * @property {string} label
 * @property {Row[]} rows
 * @property {() => (void | Promise<void>)} [refresh]  called (untimed) before each round, e.g. to re-sign headers
 *
 * @typedef {object} Comparison
 * @property {string} num    row id
 * @property {string} den    row id (the baseline)
 */

const SINK = Symbol('never returned');

/** A timing loop of its own per row, so that no call site is shared (and made megamorphic) by all rows. */
function makeLoop(async) {
  // eslint-disable-next-line no-new-func
  return async
    ? new Function('fn', 'n', 'sink', 'return (async () => { let s = 0; for (let i = 0; i < n; i++) if ((await fn()) === sink) s++; return s; })();')
    : new Function('fn', 'n', 'sink', 'let s = 0; for (let i = 0; i < n; i++) if (fn() === sink) s++; return s;');
}

async function timeRow(row, n) {
  const t0 = process.hrtime.bigint();
  const r = row.loop(row.fn, n, SINK);
  if (row.async) await r;
  return Number(process.hrtime.bigint() - t0) / n; // ns per operation
}

function shuffle(list) {
  const a = list.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Iterations so that one timed block takes about `targetMs` (at least one). */
async function calibrate(row, targetMs) {
  let n = 1;
  for (;;) {
    const ns = await timeRow(row, n);
    const total = ns * n;
    if (total >= targetMs * 1e6 / 4 || n >= 1 << 24) return Math.max(1, Math.round((targetMs * 1e6) / ns));
    n *= 4;
  }
}

/**
 * Runs cases in interleaved rounds. Returns per-case, per-row arrays of ns/op (one entry per round).
 * @param {Case[]} cases
 * `targetMs` is the time per row per round, split into `slices` interleaved blocks.
 * @param {{ rounds: number, targetMs: number, slices?: number, warmupRounds: number, log?: (s: string) => void }} opts
 */
export async function runRounds(cases, opts) {
  const log = opts.log ?? (() => {});
  for (const c of cases) {
    if (c.refresh) await c.refresh();
    for (const row of c.rows) {
      row.loop = makeLoop(Boolean(row.async));
      if (row.check) await row.check();
    }
  }
  log(`  checked ${cases.reduce((n, c) => n + c.rows.length, 0)} rows (each accepts the valid delivery, rejects a tampered one)`);
  // Warm-up: let every row reach its optimized tier, then size the timed blocks.
  for (let w = 0; w < opts.warmupRounds; w++) {
    for (const c of shuffle(cases)) for (const row of shuffle(c.rows)) await calibrate(row, opts.targetMs / 4);
  }
  const slices = opts.slices ?? 4;
  for (const c of cases) for (const row of c.rows) row.n = await calibrate(row, opts.targetMs / slices);
  log(`  warmed up and calibrated; ${opts.rounds} rounds of ${slices} interleaved blocks, ~${opts.targetMs} ms per row per round`);
  /** @type {Map<Case, Map<string, number[]>>} */
  const samples = new Map(cases.map((c) => [c, new Map(c.rows.map((r) => [r.id, []]))]));
  const started = Date.now();
  for (let round = 0; round < opts.rounds; round++) {
    for (const c of shuffle(cases)) {
      if (c.refresh) await c.refresh();
      // No forced GC here: a full GC throws away optimized code that embeds objects it frees ("weak
      // objects" deopts), and the rows after it would be timed while re-optimizing.
      const best = new Map();
      for (let slice = 0; slice < slices; slice++) {
        for (const row of shuffle(c.rows)) {
          const ns = await timeRow(row, row.n);
          if (!(best.get(row.id) <= ns)) best.set(row.id, ns);
        }
      }
      for (const [id, ns] of best) samples.get(c).get(id).push(ns);
    }
    if (round === 0 || (round + 1) % 5 === 0) {
      const perRound = (Date.now() - started) / (round + 1);
      log(`  round ${round + 1}/${opts.rounds} (${(perRound / 1000).toFixed(1)} s per round)`);
    }
  }
  return samples;
}

/**
 * Order-statistics interval for the median of `n` samples: [x_(k), x_(n-k+1)] (1-based) with the largest k whose
 * coverage P(k <= B <= n-k), B ~ Binomial(n, 1/2), is at least `level`.
 */
export function medianInterval(values, level = 0.95) {
  const x = values.slice().sort((a, b) => a - b);
  const n = x.length;
  const median = n % 2 ? x[(n - 1) / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
  const pmf = [];
  for (let i = 0; i <= n; i++) pmf.push(Math.exp(logChoose(n, i) - n * Math.LN2));
  let k = 0; // 0 means the interval is unavailable (too few rounds)
  for (let cand = 1; cand <= Math.floor(n / 2); cand++) {
    let coverage = 0;
    for (let i = cand; i <= n - cand; i++) coverage += pmf[i];
    if (coverage >= level) k = cand;
    else break;
  }
  return k === 0 ? { median, lo: x[0], hi: x[n - 1], exact: false } : { median, lo: x[k - 1], hi: x[n - k], exact: true };
}

function logChoose(n, k) {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** Per-round ratios num/den within one case, summarised. */
export function ratio(samples, num, den) {
  const a = samples.get(num);
  const b = samples.get(den);
  if (!a || !b) return undefined;
  return medianInterval(a.map((v, i) => v / b[i]));
}

/** Median ops/s of a row (absolute; printed, never compared). */
export function opsPerSecond(samples, id) {
  const a = samples.get(id);
  return a ? 1e9 / medianInterval(a).median : undefined;
}

export function fmtRatio(r) {
  if (!r) return '–';
  const d = (v) => (v >= 10 ? v.toFixed(1) : v.toFixed(2));
  return `${d(r.median)}x [${d(r.lo)}–${d(r.hi)}]`;
}

export function fmtOps(v) {
  if (v === undefined) return '–';
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k`;
  return v.toFixed(v >= 100 ? 0 : 1);
}

/** A Markdown table. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}
