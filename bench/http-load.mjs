// Child process of the HTTP group (http.mjs): a bounded keep-alive load generator for 127.0.0.1.
// On { cmd: 'run', port, connections, durationMs } it opens `connections` sockets, and on each one sends a
// request, waits for the whole response, sends the next, until `durationMs` has passed; then it closes them
// and answers { completed, statuses, elapsedMs, latency }. Every request is a 1 KiB Allthings event
// (`ticket.created`) with a fresh event id, signed with signPayload just before it is written, so every
// delivery is valid and new to the adapter's store. A run never lasts longer than durationMs + 10 s.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { eventBody } from './bodies.mjs';

const secret = process.env.BENCH_SECRET;
if (!secret) throw new Error('http-load.mjs: BENCH_SECRET is not set (run through bench/run.mjs --only=http).');
const ours = await import(new URL('../dist/index.js', import.meta.url));

const SIZE = Number(process.env.BENCH_BODY_BYTES ?? 1024);
const template = eventBody(SIZE).replace('"ticket.updated"', '"ticket.created"');
const idAt = template.indexOf('"id":"') + 6;
const before = template.slice(0, idAt);
const after = template.slice(idAt + 36); // the template's id is a 36-character UUID
// Ids: 24 random hex characters per process + a 12-digit counter, the same 36 characters, so the body stays SIZE bytes.
const idBase = (() => {
  const h = randomBytes(12).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-`;
})();
let counter = 0;

function request() {
  const body = before + idBase + String(counter++).padStart(12, '0') + after;
  const h = ours.signPayload(body, secret);
  return (
    'POST /webhooks/allthings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    `Content-Length: ${SIZE}\r\nx-allthings-signature: ${h['x-allthings-signature']}\r\n` +
    `x-allthings-signature-timestamp: ${h['x-allthings-signature-timestamp']}\r\n\r\n${body}`
  );
}
if (Buffer.byteLength(request()) - Buffer.byteLength(request().split('\r\n\r\n')[0]) - 4 !== SIZE) {
  throw new Error('http-load.mjs: the request body is not SIZE bytes');
}

const CRLF2 = Buffer.from('\r\n\r\n');
const LAST_CHUNK = Buffer.from('\r\n0\r\n\r\n');

/** Length of the first complete response in `buf` and its status, or undefined while incomplete. */
function parseResponse(buf) {
  const end = buf.indexOf(CRLF2);
  if (end < 0) return undefined;
  const head = buf.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (cl) {
    const total = end + 4 + Number(cl[1]);
    return buf.length >= total ? { status, total } : undefined;
  }
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
    const last = buf.indexOf(LAST_CHUNK, end + 4);
    return last < 0 ? undefined : { status, total: last + LAST_CHUNK.length };
  }
  return { status, total: end + 4 };
}

function open(port) {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
}

async function run({ port, connections, durationMs }) {
  const sockets = await Promise.all(Array.from({ length: connections }, () => open(port)));
  const statuses = {};
  const latency = [];
  let completed = 0;
  let lastDone = 0n;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round(durationMs * 1e6));
  const work = sockets.map(
    (socket) =>
      new Promise((resolve, reject) => {
        let pending = Buffer.alloc(0);
        let sentAt = 0n;
        const send = () => {
          sentAt = process.hrtime.bigint();
          socket.write(request());
        };
        socket.on('data', (chunk) => {
          pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
          for (;;) {
            const r = parseResponse(pending);
            if (!r) return;
            pending = pending.subarray(r.total);
            const now = process.hrtime.bigint();
            completed++;
            statuses[r.status] = (statuses[r.status] ?? 0) + 1;
            latency.push(Number(now - sentAt) / 1e6);
            lastDone = now;
            if (now < deadline) send();
            else return resolve();
          }
        });
        socket.on('error', reject);
        socket.on('close', () => reject(new Error('the server closed a connection')));
        send();
      }),
  );
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('load run exceeded durationMs + 10 s')), durationMs + 10_000);
  });
  try {
    await Promise.race([Promise.all(work), guard]);
  } finally {
    clearTimeout(timer);
    for (const s of sockets) {
      s.removeAllListeners('close');
      s.on('error', () => {});
      s.destroy();
    }
  }
  latency.sort((a, b) => a - b);
  const q = (p) => latency[Math.min(latency.length - 1, Math.floor(p * latency.length))];
  return { completed, statuses, elapsedMs: Number(lastDone - t0) / 1e6, latency: { p50: q(0.5), p99: q(0.99) } };
}

process.on('message', async (msg) => {
  if (msg?.cmd !== 'run') return;
  try {
    process.send({ ok: true, result: await run(msg) });
  } catch (error) {
    process.send({ ok: false, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
