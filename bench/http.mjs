// HTTP rows (issue 5): the node adapter against a bare node:http server over loopback, and the time from the
// last body byte to the response. Load tests do not fit the in-process timed rounds, so this group is a
// phase of its own (`extra`), with the same discipline: the two servers alternate in rounds (random order
// in each round), a ratio is taken inside a round, and the table shows the median ratio and its 95% interval.
//
// Processes: this one orchestrates and measures latency; http-server.mjs hosts every server (one port each);
// http-load.mjs generates the load (keep-alive connections, one request in flight per connection).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { eventBody } from './bodies.mjs';
import { medianInterval, table } from './harness.mjs';

export const title = 'HTTP: node adapter over loopback';
export const unavailableReason = 'dist/node.js (createNodeListener) is missing';

export function available() {
  return existsSync(new URL('../dist/node.js', import.meta.url));
}

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const SECRET = 'whsec_bench_' + randomBytes(18).toString('base64url');
const args = process.argv.slice(2);
const value = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const ours = await import(new URL('../dist/index.js', import.meta.url));

const shuffle = (list) => {
  const a = list.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU time (user + system) of a process in ms, from /proc (Linux); 0 elsewhere. */
function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks of 1/100 s (USER_HZ)
  } catch {
    return 0;
  }
}

/** A child process with IPC that has sent its first message. */
function start(file, execArgv = []) {
  const child = fork(here(file), [], {
    env: { ...process.env, BENCH_SECRET: SECRET },
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const first = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${file} exited (${code}) before it was ready`)));
  });
  return { child, first };
}

function ask(child, msg) {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => (m.ok ? resolve(m.result) : reject(new Error(m.error))));
    child.send(msg);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Bodies: 1 KiB from bodies.mjs; 4 MiB built from the 16 KiB body's comments (bodies.mjs grows a body one
// comment at a time and is quadratic, far too slow for 4 MiB). Both are `ticket.created` events whose 36-character
// id is replaced per request.

function bigBody(bytes) {
  const base = JSON.parse(eventBody(16 * 1024));
  const event = base.event;
  event.data.note = '';
  const pool = event.data.comments;
  const comments = [];
  let size = Buffer.byteLength(JSON.stringify(base)) - Buffer.byteLength(JSON.stringify(pool)) + 2;
  for (let i = 0; size < bytes - 4096; i++) {
    const c = { ...pool[i % pool.length], id: `${(i + 1).toString(16).padStart(8, '0')}${pool[i % pool.length].id.slice(8)}` };
    comments.push(c);
    size += Buffer.byteLength(JSON.stringify(c)) + 1;
  }
  event.data.comments = comments;
  const missing = bytes - Buffer.byteLength(JSON.stringify(base));
  const phrase = 'Bitte Rückmeldung an die Verwaltung. ';
  let note = '';
  let left = missing;
  while (left >= Buffer.byteLength(phrase)) {
    note += phrase;
    left -= Buffer.byteLength(phrase);
  }
  note += 'x'.repeat(left);
  event.data.note = note;
  const text = JSON.stringify(base);
  if (Buffer.byteLength(text) !== bytes) throw new Error(`bigBody missed ${bytes} B`);
  return text;
}

function template(text) {
  const json = text.replace('"ticket.updated"', '"ticket.created"');
  const at = json.indexOf('"id":"') + 6;
  return { before: Buffer.from(json.slice(0, at)), after: Buffer.from(json.slice(at + 36)), bytes: Buffer.byteLength(json) };
}

let idCounter = 0;
const idBase = randomBytes(10).toString('hex');
/** Head and body of a fresh, valid delivery (new id, signed now). */
function delivery(t) {
  const id = `${idBase.slice(0, 8)}-${idBase.slice(8, 12)}-4${idBase.slice(12, 15)}-b${idBase.slice(15, 18)}-${String(idCounter++).padStart(12, '0')}`;
  const body = Buffer.concat([t.before, Buffer.from(id), t.after]);
  const h = ours.signPayload(body, SECRET);
  const head =
    'POST /webhooks/allthings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    `Content-Length: ${body.length}\r\nx-allthings-signature: ${h['x-allthings-signature']}\r\n` +
    `x-allthings-signature-timestamp: ${h['x-allthings-signature-timestamp']}\r\n\r\n`;
  return { head: Buffer.from(head, 'latin1'), body };
}

// ---------------------------------------------------------------------------------------------------------
// Last-byte latency: headers and all but the last body byte, a pause so that the server has read them, then
// the last byte; the time until the first byte of the response arrives.

const CRLF2 = Buffer.from('\r\n\r\n');
const LAST_CHUNK = Buffer.from('\r\n0\r\n\r\n');

class Conn {
  constructor(port) {
    this.port = port;
  }
  async open() {
    this.socket = await new Promise((resolve, reject) => {
      const s = connect({ port: this.port, host: '127.0.0.1', noDelay: true }, () => resolve(s));
      s.once('error', reject);
    });
    this.socket.on('error', () => {});
    this.pending = Buffer.alloc(0);
    this.socket.on('data', (chunk) => {
      if (this.firstByteAt === undefined) this.firstByteAt = process.hrtime.bigint();
      this.pending = Buffer.concat([this.pending, chunk]);
      const end = this.pending.indexOf(CRLF2);
      if (end < 0) return;
      const head = this.pending.toString('latin1', 0, end);
      const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
      let total;
      if (cl) total = end + 4 + Number(cl[1]);
      else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
        const last = this.pending.indexOf(LAST_CHUNK, end + 4);
        if (last < 0) return;
        total = last + LAST_CHUNK.length;
      } else return this.done?.(new Error('response with neither content-length nor chunked encoding'));
      if (this.pending.length < total) return;
      const status = Number(head.slice(9, 12));
      this.pending = this.pending.subarray(total);
      this.done?.(status === 200 ? undefined : new Error(`status ${status}: ${head.split('\r\n')[0]}`));
    });
    return this;
  }
  /** ns from writing the last body byte to the first response byte. */
  async lastByte(t, pauseMs) {
    const { head, body } = delivery(t);
    this.firstByteAt = undefined;
    const finished = new Promise((resolve, reject) => {
      this.done = (err) => (err ? reject(err) : resolve());
      this.socket.once('close', () => reject(new Error('connection closed')));
    });
    await new Promise((resolve) => this.socket.write(Buffer.concat([head, body.subarray(0, body.length - 1)]), resolve));
    await sleep(pauseMs);
    if (this.firstByteAt !== undefined) throw new Error('the server answered before the last byte');
    const t0 = process.hrtime.bigint();
    this.socket.write(body.subarray(body.length - 1));
    await finished;
    this.socket.removeAllListeners('close');
    return Number(this.firstByteAt - t0);
  }
  close() {
    this.socket.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------------

export async function extra(settings) {
  const log = settings.log;
  const quick = settings.quick;
  const rounds = Number(value('http-rounds') ?? (quick ? 5 : 9));
  const windowMs = Number(value('http-window-ms') ?? (quick ? 1000 : 1500));
  const connections = Number(value('connections') ?? 32);
  const reps = Number(value('latency-reps') ?? (quick ? 12 : 30));
  const serverArgv = [];
  if (args.includes('--cpu-prof-server')) {
    const dir = here('./profiles');
    mkdirSync(dir, { recursive: true });
    serverArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
    log(`  profiling the server process into ${dir}`);
  }
  const server = start('./http-server.mjs', serverArgv);
  const load = start('./http-load.mjs');
  const out = [];
  try {
    const { ports } = await server.first;
    await load.first;

    // ---- throughput: bare vs adapter (and any diagnostic servers), alternating in rounds
    // The verifyEvent row is the ceiling for any server that must verify and parse (the issue's LIMIT + JSON.parse).
    const extraServers = value('http-servers')?.split(',') ?? ['collect+verifyEvent', 'bare+nextTurn'];
    const SERVERS = ['bare', 'adapter', ...extraServers.filter((n) => n && n !== 'bare' && n !== 'adapter')];
    for (const name of SERVERS) if (!ports[name]) throw new Error(`--http-servers: no server named ${name} in http-server.mjs`);
    const runOne = async (name, ms) => {
      const c0 = [cpuMs(server.child.pid), cpuMs(load.child.pid)];
      const r = await ask(load.child, { cmd: 'run', port: ports[name], connections, durationMs: ms });
      const c1 = [cpuMs(server.child.pid), cpuMs(load.child.pid)];
      const bad = Object.entries(r.statuses).filter(([s]) => s !== '200');
      if (bad.length) throw new Error(`${name}: non-200 answers under load: ${JSON.stringify(r.statuses)}`);
      const cpu = c0[0] && c1[0] ? [(c1[0] - c0[0]) * 1000 / r.completed, (c1[1] - c0[1]) * 1000 / r.completed] : undefined;
      return { rps: (r.completed / r.elapsedMs) * 1000, cpu, ...r };
    };
    log(`  load: ${connections} keep-alive connections from a second process, 1 KiB signed deliveries; warm-up`);
    for (const name of SERVERS) await runOne(name, Math.min(windowMs, 1000));
    const per = Object.fromEntries(SERVERS.map((n) => [n, { rps: [], p50: [], p99: [], cpuServer: [], cpuLoad: [] }]));
    let requests = 0;
    for (let round = 0; round < rounds; round++) {
      for (const name of shuffle(SERVERS)) {
        const r = await runOne(name, windowMs);
        per[name].rps.push(r.rps);
        per[name].p50.push(r.latency.p50);
        per[name].p99.push(r.latency.p99);
        if (r.cpu) per[name].cpuServer.push(r.cpu[0]), per[name].cpuLoad.push(r.cpu[1]);
        requests += r.completed;
      }
      log(`  round ${round + 1}/${rounds}: ${SERVERS.map((n) => `${n} ${per[n].rps.at(-1).toFixed(0)}`).join(', ')} req/s`);
    }
    const med = (xs) => (xs.length ? medianInterval(xs).median : NaN);
    const f2 = (v) => v.toFixed(2);
    const ratioOf = (name) => medianInterval(per[name].rps.map((a, i) => a / per.bare.rps[i]));
    const adapterRatio = ratioOf('adapter');
    const labels = {
      bare: 'bare node:http: reads the body, answers 200',
      adapter: "**adapter**: createNodeListener(createWebhookHandler({ secret, on: { 'ticket.created': async () => {} } })), memory store",
      collect: 'diagnostic: bare + collect the chunks, Buffer.concat',
      'collect+verify': 'diagnostic: collect + verifyPayload',
      'collect+verifyEvent': 'reference: collect + verifyEvent (HMAC check + JSON.parse, no dedup, no routing)',
      'collect+handle': 'diagnostic: collect + handler.handle({ rawBody, headers }) (no streaming)',
      'bare+nextTurn': 'diagnostic: bare, answering on the next event-loop turn (setImmediate) as the adapter does',
      'collect+verifyEvent+nextTurn': 'diagnostic: collect + verifyEvent, answering on the next turn (setImmediate)',
    };
    out.push(
      `### Throughput: 1 KiB deliveries, ${connections} connections, ${rounds} rounds of ${windowMs} ms per server\n`,
      table(
        ['server', 'requests/s (median)', 'requests/s / bare (median [95% interval])', 'latency p50 / p99 (ms)', 'CPU µs per request: server / load generator'],
        SERVERS.map((name) => {
          const r = ratioOf(name);
          return [
            labels[name] ?? name,
            med(per[name].rps).toFixed(0),
            name === 'bare' ? '1 (baseline)' : `${name === 'adapter' ? '**' : ''}${f2(r.median)}x${name === 'adapter' ? '**' : ''} [${f2(r.lo)}–${f2(r.hi)}]`,
            `${f2(med(per[name].p50))} / ${f2(med(per[name].p99))}`,
            per[name].cpuServer.length ? `${med(per[name].cpuServer).toFixed(0)} / ${med(per[name].cpuLoad).toFixed(0)}` : '–',
          ];
        }),
      ),
      '',
      `Target: adapter ≥ 0.85x the bare server: **${adapterRatio.median >= 0.85 ? 'met' : 'missed'}** (${f2(adapterRatio.median)}x). ` +
        `Per-round ratios adapter / bare: ${per.adapter.rps.map((a, i) => (a / per.bare.rps[i]).toFixed(2)).join(', ')}. ` +
        `${requests.toLocaleString('en')} timed requests, every one answered 200 (checked); each a ` +
        '`ticket.created` event with a fresh id, signed just before it was written, so every adapter request ' +
        'verifies, claims, runs the handler and completes in the memory store. Load comes from a second ' +
        'process (`http-load.mjs`); on a 2-core machine it competes with the server for CPU. Latency is per request ' +
        'under that load (send to complete response). CPU per request is user + system time from /proc, in µs.',
      '',
    );

    // ---- last-byte latency
    const LAT_SERVERS = ['bare', 'parse', 'buffered', 'adapter'];
    const SIZES = [
      { label: '1 KiB', t: template(eventBody(1024).replace('"ticket.updated"', '"ticket.created"')), pauseMs: 50 },
      { label: '4 MiB', t: template(bigBody(4 * 1024 * 1024)), pauseMs: 100 },
    ];
    log(`  last-byte latency: ${reps} deliveries per server and size (4 servers × 1 KiB, 4 MiB)`);
    const conns = {};
    for (const name of LAT_SERVERS) for (const s of SIZES) conns[`${name}/${s.label}`] = await new Conn(ports[name]).open();
    const lat = Object.fromEntries(Object.keys(conns).map((k) => [k, []]));
    for (let rep = -2; rep < reps; rep++) {
      for (const s of SIZES) {
        for (const name of shuffle(LAT_SERVERS)) {
          const ns = await conns[`${name}/${s.label}`].lastByte(s.t, s.pauseMs);
          if (rep >= 0) lat[`${name}/${s.label}`].push(ns / 1e6); // the first two are warm-up
        }
      }
    }
    for (const c of Object.values(conns)) c.close();
    const latLabels = {
      bare: 'bare node:http (body discarded)',
      parse: 'reference: concat + JSON.parse after the last byte',
      buffered: 'reference: concat + HMAC + JSON.parse after the last byte',
      adapter: 'createNodeListener (memory store)',
    };
    const cell = (xs) => {
      const m = medianInterval(xs);
      return `${m.median.toFixed(2)} [${m.lo.toFixed(2)}–${m.hi.toFixed(2)}]`;
    };
    out.push(
      `### Last-byte latency: ms from writing the last body byte to the first response byte (median [95% interval], ${reps} deliveries)\n`,
      table(
        ['server', '1 KiB', '4 MiB', '4 MiB − 1 KiB (medians)', '4 MiB: minus the concat + JSON.parse reference, per delivery (median [95% interval])'],
        LAT_SERVERS.map((name) => {
          const a = lat[`${name}/1 KiB`];
          const b = lat[`${name}/4 MiB`];
          const ref = lat['parse/4 MiB'];
          return [
            latLabels[name],
            cell(a),
            cell(b),
            `${(medianInterval(b).median - medianInterval(a).median).toFixed(2)}`,
            name === 'parse' ? '0 (reference)' : cell(b.map((v, i) => v - ref[i])),
          ];
        }),
      ),
      '',
      'Each delivery: headers and all but the last body byte on a raw keep-alive socket, a pause (50 ms at 1 KiB, ' +
        '100 ms at 4 MiB, after the socket accepted the bytes) so the server has read them, then the last byte. ' +
        'The servers alternate in random order for every delivery. The references bound what an adapter can do: ' +
        '"concat + JSON.parse" is the least work left after the last byte when the HMAC is computed while the body ' +
        'streams in (the parse of the whole body cannot start earlier); "concat + HMAC + JSON.parse" is what is left ' +
        'when it is not. The last column pairs each 4 MiB delivery with the reference\'s delivery of the same repetition: ' +
        'what the server spends after the last byte beyond concatenating and parsing the body.',
      '',
    );
  } finally {
    load.child.disconnect?.();
    server.child.disconnect?.();
    await Promise.all([server.child, load.child].map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  }
  return out.join('\n');
}
