// Verification rows (issue 5): the HMAC limit, ours, and the peers, for each body size and input type.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Stripe from 'stripe';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { SIZES, eventBody } from './bodies.mjs';
import { fmtOps, fmtRatio, opsPerSecond, ratio, table } from './harness.mjs';

const dist = (name) => new URL(`../dist/${name}.js`, import.meta.url);
const ours = await import(dist('index'));
const web = existsSync(fileURLToPath(dist('web'))) ? await import(pathToFileURL(fileURLToPath(dist('web'))).href) : undefined;

const SECRET = 'whsec_bench_' + randomBytes(18).toString('base64url');
const ROTATION = ['whsec_old_' + randomBytes(18).toString('base64url'), 'whsec_older_' + randomBytes(18).toString('base64url'), SECRET];
const SWH_SECRET = 'whsec_' + randomBytes(24).toString('base64');
const stripe = new Stripe('sk_test_bench_not_a_real_key');

function must(cond, what) {
  if (!cond) throw new Error(`bench check failed: ${what}`);
}
function mustThrow(fn, what) {
  let threw = false;
  try {
    fn();
  } catch {
    threw = true;
  }
  must(threw, what);
}

/** One case: a body of one size as one input type, with every row's headers. */
function makeCase(size, kind) {
  const text = eventBody(size.bytes);
  const body = kind === 'Buffer' ? Buffer.from(text) : text;
  const tamperedText = text.replace('Heizung', 'Heizunk');
  const tampered = kind === 'Buffer' ? Buffer.from(tamperedText) : tamperedText;
  const bytesForWeb = Buffer.from(text);
  const fx = {}; // fixtures re-signed before each round so every timestamp stays inside its window
  let signedAt = 0;
  const refresh = async () => {
    if (Date.now() - signedAt < 60_000) return;
    signedAt = Date.now();
    fx.ours = ours.signPayload(body, SECRET);
    fx.ts = fx.ours['x-allthings-signature-timestamp'];
    fx.expected = createHmac('sha256', SECRET).update(fx.ts).update(body).digest();
    fx.stripeHeader = stripe.webhooks.generateTestHeaderString({ payload: text, secret: SECRET });
    const swh = new StandardWebhook(SWH_SECRET);
    const id = 'msg_' + randomBytes(8).toString('hex');
    const now = new Date();
    fx.swhHeaders = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now / 1000)), 'webhook-signature': swh.sign(id, now, text) };
    fx.svixHeaders = { 'svix-id': id, 'svix-timestamp': fx.swhHeaders['webhook-timestamp'], 'svix-signature': fx.swhHeaders['webhook-signature'] };
    fx.octokitSig = await octokitSign(SECRET, text);
    if (web) {
      fx.webKey = await crypto.subtle.importKey('raw', Buffer.from(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
      fx.webSig = createHmac('sha256', SECRET).update(fx.ts).update(bytesForWeb).digest();
    }
  };

  const limit = () => timingSafeEqual(createHmac('sha256', SECRET).update(fx.ts).update(body).digest(), fx.expected);
  const limit3 = () => {
    let ok = false;
    for (const key of ROTATION) if (timingSafeEqual(createHmac('sha256', key).update(fx.ts).update(body).digest(), fx.expected)) ok = true;
    return ok;
  };
  const parse = kind === 'Buffer' ? () => JSON.parse(body.toString('utf8')) : () => JSON.parse(body);
  const swh = new StandardWebhook(SWH_SECRET);
  const svix = new SvixWebhook(SWH_SECRET);

  /** @type {import('./harness.mjs').Row[]} */
  const rows = [
    { id: 'limit', label: 'LIMIT: createHmac + timingSafeEqual', fn: limit, check: () => must(limit(), 'LIMIT accepts') },
    { id: 'limit-json', label: 'LIMIT + JSON.parse', fn: () => limit() && parse(), check: () => must(limit() && parse(), 'LIMIT+JSON') },
    { id: 'limit3', label: 'LIMIT, 3 keys', fn: limit3, check: () => must(limit3(), 'LIMIT3 accepts') },
    { id: 'limit3-json', label: 'LIMIT, 3 keys + JSON.parse', fn: () => limit3() && parse(), check: () => must(limit3() && parse(), 'LIMIT3+JSON') },
    {
      id: 'verifyPayload',
      label: 'verifyPayload',
      fn: () => ours.verifyPayload(body, fx.ours, SECRET),
      check: () => {
        must(ours.verifyPayload(body, fx.ours, SECRET).ok, 'verifyPayload accepts');
        must(ours.verifyPayload(tampered, fx.ours, SECRET).reason === 'signature_mismatch', 'verifyPayload rejects');
      },
    },
    {
      id: 'verifyPayload-3',
      label: 'verifyPayload, 3 secrets',
      fn: () => ours.verifyPayload(body, fx.ours, ROTATION),
      check: () => {
        must(ours.verifyPayload(body, fx.ours, ROTATION).ok, 'verifyPayload x3 accepts');
        must(!ours.verifyPayload(tampered, fx.ours, ROTATION).ok, 'verifyPayload x3 rejects');
      },
    },
    {
      id: 'hasVerifiedPayload',
      label: 'hasVerifiedPayload',
      fn: () => ours.hasVerifiedPayload(body, fx.ours, SECRET),
      check: () => {
        must(ours.hasVerifiedPayload(body, fx.ours, SECRET) === true, 'hasVerifiedPayload accepts');
        must(ours.hasVerifiedPayload(tampered, fx.ours, SECRET) === false, 'hasVerifiedPayload rejects');
      },
    },
    {
      id: 'hasVerifiedPayload-3',
      label: 'hasVerifiedPayload, 3 secrets',
      fn: () => ours.hasVerifiedPayload(body, fx.ours, ROTATION),
      check: () => {
        must(ours.hasVerifiedPayload(body, fx.ours, ROTATION) === true, 'hasVerifiedPayload x3 accepts');
        must(ours.hasVerifiedPayload(tampered, fx.ours, ROTATION) === false, 'hasVerifiedPayload x3 rejects');
      },
    },
    {
      id: 'verifyEvent',
      label: 'verifyEvent',
      fn: () => ours.verifyEvent(body, fx.ours, SECRET),
      check: () => {
        must(ours.verifyEvent(body, fx.ours, SECRET).event.name === 'ticket.updated', 'verifyEvent accepts');
        mustThrow(() => ours.verifyEvent(tampered, fx.ours, SECRET), 'verifyEvent rejects');
      },
    },
    {
      id: 'verifyEvent-3',
      label: 'verifyEvent, 3 secrets',
      fn: () => ours.verifyEvent(body, fx.ours, ROTATION),
      check: () => {
        must(ours.verifyEvent(body, fx.ours, ROTATION).event.name === 'ticket.updated', 'verifyEvent x3 accepts');
        mustThrow(() => ours.verifyEvent(tampered, fx.ours, ROTATION), 'verifyEvent x3 rejects');
      },
    },
    {
      id: 'stripe-verifyHeader',
      label: 'stripe webhooks.signature.verifyHeader',
      fn: () => stripe.webhooks.signature.verifyHeader(body, fx.stripeHeader, SECRET),
      check: () => {
        must(stripe.webhooks.signature.verifyHeader(body, fx.stripeHeader, SECRET) === true, 'stripe accepts');
        mustThrow(() => stripe.webhooks.signature.verifyHeader(tampered, fx.stripeHeader, SECRET), 'stripe rejects');
      },
    },
    {
      id: 'stripe-constructEvent',
      label: 'stripe webhooks.constructEvent',
      fn: () => stripe.webhooks.constructEvent(body, fx.stripeHeader, SECRET),
      check: () => {
        must(stripe.webhooks.constructEvent(body, fx.stripeHeader, SECRET).event.name === 'ticket.updated', 'stripe constructEvent accepts');
        mustThrow(() => stripe.webhooks.constructEvent(tampered, fx.stripeHeader, SECRET), 'stripe constructEvent rejects');
      },
    },
    {
      id: 'swh-verify',
      label: 'standardwebhooks verify',
      fn: () => swh.verify(body, fx.swhHeaders),
      check: () => {
        must(swh.verify(body, fx.swhHeaders).event.name === 'ticket.updated', 'standardwebhooks accepts');
        mustThrow(() => swh.verify(tampered, fx.swhHeaders), 'standardwebhooks rejects');
      },
    },
    {
      id: 'swh-verify-raw',
      label: 'standardwebhooks verify, jsonParse: false',
      fn: () => swh.verify(body, fx.swhHeaders, { jsonParse: false }),
      check: () => {
        swh.verify(body, fx.swhHeaders, { jsonParse: false });
        mustThrow(() => swh.verify(tampered, fx.swhHeaders, { jsonParse: false }), 'standardwebhooks raw rejects');
      },
    },
    {
      id: 'svix-verify',
      label: 'svix Webhook.verify',
      fn: () => svix.verify(body, fx.svixHeaders),
      check: () => {
        must(svix.verify(body, fx.svixHeaders).event.name === 'ticket.updated', 'svix accepts');
        mustThrow(() => svix.verify(tampered, fx.svixHeaders), 'svix rejects');
      },
    },
  ];
  if (kind === 'string') {
    rows.push({
      id: 'octokit-verify',
      label: '@octokit/webhooks-methods verify (async)',
      async: true,
      fn: () => octokitVerify(SECRET, body, fx.octokitSig),
      check: async () => {
        must((await octokitVerify(SECRET, body, fx.octokitSig)) === true, 'octokit accepts');
        must((await octokitVerify(SECRET, tampered, fx.octokitSig)) === false, 'octokit rejects');
      },
    });
  }
  if (web) rows.push(...webRows(web, fx, body, tampered));
  return { id: `${kind}-${size.bytes}`, label: `${kind} ${size.label}`, size, kind, rows, refresh };
}

const encoder = new TextEncoder();

/**
 * Web Crypto entry rows (async), against crypto.subtle.verify with a key imported once. subtle takes the
 * signed content as one array, so the least work includes joining timestamp and body (and encoding a string).
 */
function webRows(web, fx, body, tampered) {
  const message =
    typeof body === 'string'
      ? () => encoder.encode(fx.ts + body)
      : () => {
          const joined = new Uint8Array(fx.ts.length + body.length);
          for (let i = 0; i < fx.ts.length; i++) joined[i] = fx.ts.charCodeAt(i);
          joined.set(body, fx.ts.length);
          return joined;
        };
  return [
    {
      id: 'subtle-limit',
      label: 'WEB LIMIT: join + crypto.subtle.verify, cached key',
      async: true,
      fn: () => crypto.subtle.verify('HMAC', fx.webKey, fx.webSig, message()),
      check: async () => must(await crypto.subtle.verify('HMAC', fx.webKey, fx.webSig, message()), 'subtle accepts'),
    },
    {
      id: 'web-verifyPayload',
      label: 'web verifyPayload',
      async: true,
      fn: () => web.verifyPayload(body, fx.ours, SECRET),
      check: async () => {
        must((await web.verifyPayload(body, fx.ours, SECRET)).ok, 'web verifyPayload accepts');
        must(!(await web.verifyPayload(tampered, fx.ours, SECRET)).ok, 'web verifyPayload rejects');
      },
    },
    {
      id: 'web-verifyPayload-3',
      label: 'web verifyPayload, 3 secrets',
      async: true,
      fn: () => web.verifyPayload(body, fx.ours, ROTATION),
      check: async () => {
        must((await web.verifyPayload(body, fx.ours, ROTATION)).ok, 'web verifyPayload x3 accepts');
        must(!(await web.verifyPayload(tampered, fx.ours, ROTATION)).ok, 'web verifyPayload x3 rejects');
      },
    },
  ];
}

// What each of our rows is measured against, and which peers do the same job.
const VS_LIMIT = [
  ['verifyPayload', 'limit'],
  ['hasVerifiedPayload', 'limit'],
  ['verifyEvent', 'limit-json'],
  ['verifyPayload-3', 'limit3'],
  ['hasVerifiedPayload-3', 'limit3'],
  ['verifyEvent-3', 'limit3-json'],
  ['web-verifyPayload', 'subtle-limit'],
  ['web-verifyPayload-3', 'subtle-limit'],
  ['subtle-limit', 'limit'],
  ['stripe-verifyHeader', 'limit'],
  ['stripe-constructEvent', 'limit'],
  ['swh-verify', 'limit'],
  ['swh-verify-raw', 'limit'],
  ['svix-verify', 'limit'],
  ['octokit-verify', 'limit'],
];
const VERIFY_ONLY_PEERS = ['stripe-verifyHeader', 'swh-verify-raw', 'octokit-verify'];
const PARSING_PEERS = ['stripe-constructEvent', 'swh-verify', 'svix-verify'];
const VS_PEERS = [
  ...[...VERIFY_ONLY_PEERS, ...PARSING_PEERS].map((p) => ['verifyPayload', p]),
  ...PARSING_PEERS.map((p) => ['verifyEvent', p]),
];

export const name = 'verify';
export const title = 'Verification';

export async function cases() {
  const list = [];
  for (const kind of ['Buffer', 'string']) for (const size of SIZES) list.push(makeCase(size, kind));
  return list;
}

/** Tables and the target checklist, from the samples of `runRounds`. */
export function report(samples) {
  const label = (id, c) => c.rows.find((r) => r.id === id)?.label ?? id;
  const out = [];
  const checks = [];
  for (const kind of ['Buffer', 'string']) {
    const cs = [...samples.keys()].filter((c) => c.kind === kind);
    if (cs.length === 0) continue;
    const head = (first) => [first, ...cs.map((c) => c.size.label)];
    const present = (id) => cs.some((c) => samples.get(c).has(id));
    out.push(`### ${kind} body: time ratio to the baseline (median [95% interval]; lower is faster)\n`);
    out.push(
      table(
        head('row / baseline'),
        VS_LIMIT.filter(([a, b]) => present(a) && present(b)).map(([a, b]) => [
          `${label(a, cs[0])} / ${label(b, cs[0]).replace(/^(WEB )?LIMIT.*?: .*$/, '$1LIMIT')}`,
          ...cs.map((c) => fmtRatio(ratio(samples.get(c), a, b))),
        ]),
      ),
    );
    out.push(`\n### ${kind} body: ours / peer (below 1 means ours is faster)\n`);
    out.push(
      table(
        head('ours / peer'),
        VS_PEERS.filter(([a, b]) => present(a) && present(b)).map(([a, b]) => [
          `${label(a, cs[0])} / ${label(b, cs[cs.length - 1])}`,
          ...cs.map((c) => fmtRatio(ratio(samples.get(c), a, b))),
        ]),
      ),
    );
    out.push(`\n### ${kind} body: absolute ops/s (median; for orientation only, not compared)\n`);
    const ids = [...new Set(cs.flatMap((c) => c.rows.map((r) => r.id)))];
    out.push(table(head('row'), ids.map((id) => [label(id, cs.find((c) => samples.get(c).has(id))), ...cs.map((c) => fmtOps(opsPerSecond(samples.get(c), id)))])));
    out.push('');

    for (const c of cs) {
      const s = samples.get(c);
      const bound = kind === 'Buffer' ? (c.size.bytes < 1024 ? 1.35 : 1.15) : 1.1;
      checks.push(target(`verifyPayload, ${c.label}: ≤ ${bound}x LIMIT`, ratio(s, 'verifyPayload', 'limit'), bound, 'median'));
      checks.push(target(`verifyEvent, ${c.label}: ≤ 1.10x (LIMIT + JSON.parse)`, ratio(s, 'verifyEvent', 'limit-json'), 1.1, 'median'));
      for (const [a, b] of VS_PEERS) {
        if (!s.has(a) || !s.has(b)) continue;
        checks.push(target(`${a} faster than ${b}, ${c.label}: 95% interval below 1`, ratio(s, a, b), 1, 'hi'));
      }
    }
  }
  const missed = checks.filter((c) => !c.met);
  out.push(`### Targets: ${checks.length - missed.length} of ${checks.length} met\n`);
  out.push(
    missed.length === 0
      ? 'Every verification target is met.'
      : table(['missed target', 'measured'], missed.map((c) => [c.what, c.measured])),
  );
  out.push('');
  return out.join('\n');
}

function target(what, r, bound, on) {
  const value = on === 'hi' ? r.hi : r.median;
  return { what, met: value <= bound, measured: fmtRatio(r) };
}
