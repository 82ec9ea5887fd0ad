// Hostile-input tests for the verification core. One table of cases runs against both entries (node:crypto
// and Web Crypto); every case asserts the exact outcome, and the two entries must agree on reason and message.
// Signatures are computed here with node:crypto directly, independently of the library's signPayload.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as nodeEntry from '../../src/index.js';
import * as webEntry from '../../src/entries/web.js';

const SECRET = 'whsec_hostile_7c1e9a0b3d';
const NOW = 1_764_000_000_000;
const TS = String(NOW - 1_500);
const BODY = '{"event":{"id":"hostile-body-content-1","name":"ticket.created"}}';
const SIG_H = 'x-allthings-signature';
const TS_H = 'x-allthings-signature-timestamp';
const enc = new TextEncoder();

function hmacHex(content: string | Uint8Array, key: string | Uint8Array = SECRET): string {
  return createHmac('sha256', key).update(content).digest('hex');
}
/** Signature of `timestamp ++ body` with an independent HMAC. */
function sign(ts: string, body: string | Uint8Array = BODY, key: string | Uint8Array = SECRET): string {
  const bodyBytes = typeof body === 'string' ? enc.encode(body) : body;
  return hmacHex(Buffer.concat([Buffer.from(ts, 'latin1'), bodyBytes]), key);
}
const GOOD = sign(TS);
const good = (): Record<string, string> => ({ [SIG_H]: GOOD, [TS_H]: TS });
const flipHex = (hex: string, i: number) => hex.slice(0, i) + (hex[i] === '0' ? '1' : '0') + hex.slice(i + 1);

type Args = [rawBody: unknown, headers: unknown, secret: unknown, options?: unknown];
interface Entry {
  name: string;
  verifyPayload(...a: Args): Promise<nodeEntry.VerificationResult>;
  hasVerifiedPayload(rawBody: unknown, headers: unknown, secret: unknown, tolerance?: unknown): Promise<boolean>;
  verifyEvent(...a: Args): Promise<unknown>;
}
// Both entries behind one async signature; a synchronous throw of the Node entry becomes a rejection.
const entries: Entry[] = [
  {
    name: 'node',
    verifyPayload: async (...a) => nodeEntry.verifyPayload(...(a as Parameters<typeof nodeEntry.verifyPayload>)),
    hasVerifiedPayload: async (b, h, s, t) =>
      nodeEntry.hasVerifiedPayload(b as never, h as never, s as never, t as never),
    verifyEvent: async (...a) => nodeEntry.verifyEvent(...(a as Parameters<typeof nodeEntry.verifyEvent>)),
  },
  {
    name: 'web',
    verifyPayload: (...a) => webEntry.verifyPayload(...(a as Parameters<typeof webEntry.verifyPayload>)),
    hasVerifiedPayload: (b, h, s, t) => webEntry.hasVerifiedPayload(b as never, h as never, s as never, t as never),
    verifyEvent: (...a) => webEntry.verifyEvent(...(a as Parameters<typeof webEntry.verifyEvent>)),
  },
];

type Reason = nodeEntry.VerificationFailureReason;
interface Case {
  name: string;
  body?: () => unknown;
  headers: () => unknown;
  secret?: () => unknown;
  options?: () => Record<string, unknown>;
  /** 'ok', a failure reason, or 'TypeError' (a programming error: sync throw / rejection). */
  expect: 'ok' | Reason | 'TypeError';
  /** For 'TypeError': the engine's own TypeError is accepted (no library message). */
  engineError?: boolean;
  /** Strings that must not appear in a failure message (secret, signatures, header values, body). */
  secrets?: string[];
}

const hugeTs = '1'.padEnd(1 << 20, '0');
const many = (n: number, last?: string) => {
  const list = Array.from({ length: n }, (_, i) => i.toString(16).padStart(64, 'e'));
  if (last !== undefined) list.push(last);
  return list.join(',');
};
// A Buffer view into a larger allocation, with bytes either side that must not be hashed.
const framed = () => {
  const whole = Buffer.from(`GARBAGE-BEFORE${BODY}GARBAGE-AFTER`);
  return whole.subarray(14, 14 + Buffer.byteLength(BODY));
};
const BODY8 = BODY.padEnd(Math.ceil(BODY.length / 8) * 8, ' '); // a body whose length is a multiple of 8

const cases: Case[] = [
  // ---- header container shapes and prototype tricks ----
  { name: 'plain object, good delivery', headers: good, expect: 'ok' },
  { name: 'Object.create(null) headers', headers: () => Object.assign(Object.create(null), good()), expect: 'ok' },
  {
    name: 'own keys named __proto__ / constructor / hasOwnProperty / toString / get (non-function)',
    headers: () =>
      Object.assign(JSON.parse('{"__proto__":"x","constructor":"y","hasOwnProperty":"z","toString":"t","get":"g"}'), good()),
    expect: 'ok',
  },
  {
    name: 'headers only on the prototype (inherited) are not read',
    headers: () => Object.create(good()),
    expect: 'missing_signature',
  },
  {
    name: 'headers hidden inside an own "__proto__" key (JSON.parse) are not read',
    headers: () => JSON.parse(`{"__proto__":${JSON.stringify(good())}}`),
    expect: 'missing_signature',
  },
  { name: 'upper-case keys', headers: () => ({ 'X-ALLTHINGS-SIGNATURE': GOOD, 'X-Allthings-Signature-Timestamp': TS }), expect: 'ok' },
  {
    name: 'look-alike key (dotted capital I) is not the header',
    headers: () => ({ 'X-ALLTHİNGS-SIGNATURE': GOOD, [TS_H]: TS }),
    expect: 'missing_signature',
  },
  { name: 'Map with non-string keys', headers: () => new Map<unknown, unknown>([[1, 'a'], [Symbol('s'), 'b'], ...Object.entries(good())]), expect: 'ok' },
  {
    name: 'Fetch Headers with the signature repeated (combined with ", ")',
    headers: () => {
      const h = new Headers(good());
      h.append(SIG_H, flipHex(GOOD, 3));
      return h;
    },
    expect: 'ok',
  },

  // ---- huge values ----
  { name: '100k well-formed signatures then the good one', headers: () => ({ ...good(), [SIG_H]: many(100_000, GOOD) }), expect: 'ok' },
  { name: '100k well-formed wrong signatures', headers: () => ({ ...good(), [SIG_H]: many(100_000) }), expect: 'signature_mismatch' },
  {
    name: '100k malformed entries',
    headers: () => ({ ...good(), [SIG_H]: Array(100_000).fill('zz').join(',') }),
    expect: 'malformed_signature',
  },
  { name: '1 MB timestamp of digits, not signed', headers: () => ({ [SIG_H]: GOOD, [TS_H]: hugeTs }), expect: 'signature_mismatch' },
  { name: '1 MB timestamp of digits, signed', headers: () => ({ [SIG_H]: sign(hugeTs), [TS_H]: hugeTs }), expect: 'timestamp_in_future' },
  { name: "'9' x 400 (Infinity as a number), signed", headers: () => ({ [SIG_H]: sign('9'.repeat(400)), [TS_H]: '9'.repeat(400) }), expect: 'timestamp_in_future' },
  { name: "'9' x 400 with unit s, signed", headers: () => ({ [SIG_H]: sign('9'.repeat(400)), [TS_H]: '9'.repeat(400) }), options: () => ({ timestampUnit: 's' }), expect: 'timestamp_in_future' },
  { name: "'0', signed", headers: () => ({ [SIG_H]: sign('0'), [TS_H]: '0' }), expect: 'timestamp_too_old' },
  { name: '2^53+1, signed', headers: () => ({ [SIG_H]: sign('9007199254740993'), [TS_H]: '9007199254740993' }), expect: 'timestamp_in_future' },
  {
    name: 'leading zeros, signed with the zeros',
    headers: () => ({ [SIG_H]: sign('0000' + TS), [TS_H]: '0000' + TS }),
    expect: 'ok',
  },
  { name: 'leading zeros added after signing', headers: () => ({ [SIG_H]: GOOD, [TS_H]: '0000' + TS }), expect: 'signature_mismatch' },

  // ---- non-string array elements ----
  { name: 'timestamp as a number', headers: () => ({ [SIG_H]: GOOD, [TS_H]: Number(TS) }), expect: 'ok' },
  { name: 'timestamp array [number, same string]', headers: () => ({ [SIG_H]: GOOD, [TS_H]: [Number(TS), TS] }), expect: 'ok' },
  { name: 'timestamp array of differing values', headers: () => ({ [SIG_H]: GOOD, [TS_H]: [TS, String(NOW)] }), expect: 'malformed_timestamp' },
  { name: 'timestamp 1e21 as a number', headers: () => ({ [SIG_H]: GOOD, [TS_H]: 1e21 }), expect: 'malformed_timestamp' },
  { name: 'signature array with null / undefined holes', headers: () => ({ [SIG_H]: [null, undefined, GOOD], [TS_H]: TS }), expect: 'ok' },
  { name: 'signature array with a symbol and a boolean', headers: () => ({ [SIG_H]: [Symbol('x'), true], [TS_H]: TS }), expect: 'malformed_signature' },
  { name: 'signature array with a number', headers: () => ({ [SIG_H]: [12345], [TS_H]: TS }), expect: 'malformed_signature' },
  { name: 'nested array joined by String()', headers: () => ({ [SIG_H]: [[flipHex(GOOD, 0), GOOD]], [TS_H]: TS }), expect: 'ok' },

  // ---- Unicode look-alikes, NUL, CR/LF ----
  { name: 'full-width digits timestamp', headers: () => ({ [SIG_H]: GOOD, [TS_H]: '１７６３９９９９９８５００' }), expect: 'malformed_timestamp' },
  { name: 'Arabic-Indic digits timestamp', headers: () => ({ [SIG_H]: GOOD, [TS_H]: '١٧٦٣٩٩٩٩٩٨٥٠٠' }), expect: 'malformed_timestamp' },
  { name: 'Devanagari digits timestamp', headers: () => ({ [SIG_H]: GOOD, [TS_H]: '१७६३९९९९९८५००' }), expect: 'malformed_timestamp' },
  { name: 'timestamp with NUL', headers: () => ({ [SIG_H]: GOOD, [TS_H]: TS + '\0' }), expect: 'malformed_timestamp' },
  { name: 'timestamp with CR LF', headers: () => ({ [SIG_H]: GOOD, [TS_H]: TS + '\r\n' }), expect: 'malformed_timestamp' },
  { name: 'timestamp with NBSP', headers: () => ({ [SIG_H]: GOOD, [TS_H]: '\u00a0' + TS }), expect: 'malformed_timestamp' },
  { name: 'timestamp with vertical tab', headers: () => ({ [SIG_H]: GOOD, [TS_H]: TS + '\v' }), expect: 'malformed_timestamp' },
  { name: 'timestamp wrapped in spaces and tabs', headers: () => ({ [SIG_H]: GOOD, [TS_H]: ' \t' + TS + '\t ' }), expect: 'ok' },
  { name: 'timestamp +sign / exponent / fraction / hex', headers: () => ({ [SIG_H]: GOOD, [TS_H]: ['+' + TS] }), expect: 'malformed_timestamp' },
  { name: 'timestamp exponent', headers: () => ({ [SIG_H]: GOOD, [TS_H]: '1.7639999985e12' }), expect: 'malformed_timestamp' },
  { name: 'timestamp hex', headers: () => ({ [SIG_H]: GOOD, [TS_H]: '0x19AB' }), expect: 'malformed_timestamp' },
  {
    name: 'signature with a full-width hex letter',
    headers: () => ({ [SIG_H]: GOOD.replace(/[a-f]/, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)), [TS_H]: TS }),
    expect: 'malformed_signature',
  },
  { name: 'signature with a Cyrillic a', headers: () => ({ [SIG_H]: GOOD.replace(/a/, '\u0430'), [TS_H]: TS }), expect: 'malformed_signature' },
  { name: 'signature with trailing LF', headers: () => ({ [SIG_H]: GOOD + '\n', [TS_H]: TS }), expect: 'malformed_signature' },
  { name: 'signature with trailing NUL', headers: () => ({ [SIG_H]: GOOD + '\0', [TS_H]: TS }), expect: 'malformed_signature' },
  { name: 'signature of 65 digits', headers: () => ({ [SIG_H]: GOOD + '0', [TS_H]: TS }), expect: 'malformed_signature' },
  { name: 'signature of 63 digits', headers: () => ({ [SIG_H]: GOOD.slice(1), [TS_H]: TS }), expect: 'malformed_signature' },
  { name: 'sha256= prefix', headers: () => ({ [SIG_H]: 'sha256=' + GOOD, [TS_H]: TS }), expect: 'malformed_signature' },
  { name: 'base64 of the digest', headers: () => ({ [SIG_H]: Buffer.from(GOOD, 'hex').toString('base64'), [TS_H]: TS }), expect: 'malformed_signature' },
  { name: 'upper-case signature', headers: () => ({ [SIG_H]: GOOD.toUpperCase(), [TS_H]: TS }), expect: 'ok' },
  {
    name: 'mixed-case signature',
    headers: () => ({ [SIG_H]: [...GOOD].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join(''), [TS_H]: TS }),
    expect: 'ok',
  },
  { name: 'malformed entry next to the good one', headers: () => ({ [SIG_H]: `sha256=x, ${GOOD}`, [TS_H]: TS }), expect: 'ok' },
  { name: 'malformed entry next to a wrong one', headers: () => ({ [SIG_H]: `sha256=x, ${flipHex(GOOD, 5)}`, [TS_H]: TS }), expect: 'malformed_signature' },
  { name: 'first digit flipped', headers: () => ({ [SIG_H]: flipHex(GOOD, 0), [TS_H]: TS }), expect: 'signature_mismatch' },
  { name: 'last digit flipped', headers: () => ({ [SIG_H]: flipHex(GOOD, 63), [TS_H]: TS }), expect: 'signature_mismatch' },

  // ---- precedence ----
  { name: 'no headers at all', headers: () => ({}), expect: 'missing_signature' },
  { name: 'signature but no timestamp', headers: () => ({ [SIG_H]: GOOD }), expect: 'missing_timestamp' },
  { name: 'malformed signature and missing timestamp', headers: () => ({ [SIG_H]: 'zz' }), expect: 'missing_timestamp' },
  {
    name: 'stale and wrongly signed is a mismatch',
    headers: () => ({ [SIG_H]: flipHex(sign('1000'), 9), [TS_H]: '1000' }),
    expect: 'signature_mismatch',
  },

  // ---- moving digits between timestamp and body ----
  {
    name: "digit moved from timestamp into body: signed ('1764000000000','X'), sent ('176400000000','0X')",
    body: () => '0X',
    headers: () => ({ [SIG_H]: sign('1764000000000', 'X'), [TS_H]: '176400000000' }),
    options: () => ({ now: 1_764_000_000_000 }),
    expect: 'timestamp_too_old',
  },
  {
    name: 'same, receiver on seconds',
    body: () => '0X',
    headers: () => ({ [SIG_H]: sign('1764000000000', 'X'), [TS_H]: '176400000000' }),
    options: () => ({ now: 1_764_000_000_000, timestampUnit: 's' }),
    expect: 'timestamp_in_future',
  },
  {
    name: "digit moved from body into timestamp: signed ('1764000000000','0X'), sent ('17640000000000','X')",
    body: () => 'X',
    headers: () => ({ [SIG_H]: sign('1764000000000', '0X'), [TS_H]: '17640000000000' }),
    options: () => ({ now: 1_764_000_000_000 }),
    expect: 'timestamp_in_future',
  },
  {
    name: 'body-only signature presented in default mode',
    headers: () => ({ [SIG_H]: hmacHex(BODY), [TS_H]: TS }),
    expect: 'signature_mismatch',
  },

  // ---- body types ----
  { name: 'Buffer subarray view into a larger allocation', body: framed, headers: good, expect: 'ok' },
  {
    name: 'DataView over a slice',
    body: () => {
      const b = framed();
      return new DataView(b.buffer, b.byteOffset, b.byteLength);
    },
    headers: good,
    expect: 'ok',
  },
  {
    name: 'Float64Array over the body bytes',
    body: () => new Float64Array(enc.encode(BODY8).buffer),
    headers: () => ({ [SIG_H]: sign(TS, BODY8), [TS_H]: TS }),
    expect: 'ok',
  },
  { name: 'ArrayBuffer', body: () => enc.encode(BODY).buffer, headers: good, expect: 'ok' },
  {
    name: 'Uint8Array over a SharedArrayBuffer',
    body: () => {
      const sab = new SharedArrayBuffer(Buffer.byteLength(BODY));
      new Uint8Array(sab).set(enc.encode(BODY));
      return new Uint8Array(sab);
    },
    headers: good,
    expect: 'ok',
  },
  { name: 'bare SharedArrayBuffer', body: () => new SharedArrayBuffer(8), headers: good, expect: 'TypeError' },
  {
    name: 'detached ArrayBuffer',
    body: () => {
      const ab = enc.encode(BODY).buffer;
      structuredClone(ab, { transfer: [ab] });
      return ab;
    },
    headers: good,
    expect: 'TypeError',
    engineError: true, // V8's "Cannot perform Construct on a detached ArrayBuffer", not the library's help text
  },
  { name: 'String object body', body: () => new String(BODY), headers: good, expect: 'TypeError' },
  { name: 'Blob body', body: () => new Blob([BODY]), headers: good, expect: 'TypeError' },
  { name: 'ReadableStream body', body: () => new ReadableStream(), headers: good, expect: 'TypeError' },
  { name: 'object with toString body', body: () => ({ toString: () => BODY }), headers: good, expect: 'TypeError' },
  { name: 'parsed JSON body', body: () => JSON.parse(BODY), headers: good, expect: 'TypeError' },
  { name: 'null body', body: () => null, headers: good, expect: 'TypeError' },
  { name: 'undefined body', body: () => undefined, headers: good, expect: 'TypeError' },
  {
    name: 'lone surrogate in a string body hashes as U+FFFD (UTF-8), same in both entries',
    body: () => '\ud800' + BODY,
    headers: () => ({ [SIG_H]: sign(TS, enc.encode('\ud800' + BODY)), [TS_H]: TS }),
    expect: 'ok',
  },

  // ---- secrets ----
  { name: 'String object secret', headers: good, secret: () => new String(SECRET), expect: 'TypeError' },
  { name: 'nested array of secrets', headers: good, secret: () => [[SECRET]], expect: 'TypeError' },
  { name: 'empty list of secrets', headers: good, secret: () => [], expect: 'TypeError' },
  { name: 'empty string secret', headers: good, secret: () => '', expect: 'TypeError' },
  { name: 'empty bytes secret', headers: good, secret: () => new Uint8Array(0), expect: 'TypeError' },
  { name: 'secret with trailing newline', headers: good, secret: () => SECRET + '\n', expect: 'TypeError' },
  { name: 'secret with a leading BOM', headers: good, secret: () => '\ufeff' + SECRET, expect: 'TypeError' },
  { name: 'secret undefined', headers: good, secret: () => undefined, expect: 'TypeError' },
  { name: 'secret as DataView (not accepted)', headers: good, secret: () => new DataView(enc.encode(SECRET).buffer), expect: 'TypeError' },
  { name: 'rotation: wrong then right', headers: good, secret: () => ['whsec_old', enc.encode(SECRET)], expect: 'ok' },
  { name: 'secret as ArrayBuffer', headers: good, secret: () => enc.encode(SECRET).buffer, expect: 'ok' },
  { name: 'secret with an inner NUL is a different key', headers: good, secret: () => SECRET.slice(0, 6) + '\0' + SECRET.slice(6), expect: 'signature_mismatch' },
  // HMAC zero-pads short keys, so a trailing NUL byte names the same key (a property of HMAC, not a bug).
  { name: 'secret with a trailing NUL is the same HMAC key', headers: good, secret: () => SECRET + '\0', expect: 'ok' },
  {
    name: '1 MB string secret',
    headers: () => ({ [SIG_H]: sign(TS, BODY, 'k'.repeat(1 << 20)), [TS_H]: TS }),
    secret: () => 'k'.repeat(1 << 20),
    expect: 'ok',
  },
  {
    name: '1 MB byte secret',
    headers: () => ({ [SIG_H]: sign(TS, BODY, new Uint8Array(1 << 20).fill(7)), [TS_H]: TS }),
    secret: () => new Uint8Array(1 << 20).fill(7),
    expect: 'ok',
  },

  // ---- options ----
  { name: 'now: NaN Date', headers: good, options: () => ({ now: new Date(Number.NaN) }), expect: 'TypeError' },
  { name: 'now: NaN', headers: good, options: () => ({ now: Number.NaN }), expect: 'TypeError' },
  { name: 'now: Infinity', headers: good, options: () => ({ now: Number.POSITIVE_INFINITY }), expect: 'TypeError' },
  { name: 'now: string', headers: good, options: () => ({ now: String(NOW) }), expect: 'TypeError' },
  { name: 'toleranceSeconds: "300"', headers: good, options: () => ({ now: NOW, toleranceSeconds: '300' }), expect: 'TypeError' },
  { name: 'toleranceSeconds: NaN', headers: good, options: () => ({ now: NOW, toleranceSeconds: Number.NaN }), expect: 'TypeError' },
  { name: 'toleranceSeconds: Infinity', headers: good, options: () => ({ now: NOW, toleranceSeconds: Number.POSITIVE_INFINITY }), expect: 'TypeError' },
  { name: 'toleranceSeconds: -1', headers: good, options: () => ({ now: NOW, toleranceSeconds: -1 }), expect: 'TypeError' },
  { name: 'timestampUnit: "MS"', headers: good, options: () => ({ now: NOW, timestampUnit: 'MS' }), expect: 'TypeError' },
  { name: 'signedContent: "none"', headers: good, options: () => ({ now: NOW, signedContent: 'none' }), expect: 'TypeError' },
  { name: 'signatureHeader with CR LF', headers: good, options: () => ({ now: NOW, signatureHeader: 'x-sig\r\nx' }), expect: 'TypeError' },
  { name: 'toleranceSeconds 0 and timestamp == now', headers: good, options: () => ({ now: Number(TS), toleranceSeconds: 0 }), expect: 'ok' },
  { name: 'toleranceSeconds 0 and 1 ms late', headers: good, options: () => ({ now: Number(TS) + 1, toleranceSeconds: 0 }), expect: 'timestamp_too_old' },
  { name: 'exactly 300 s old passes', headers: good, options: () => ({ now: Number(TS) + 300_000 }), expect: 'ok' },
  { name: '300 s + 1 ms old fails', headers: good, options: () => ({ now: Number(TS) + 300_001 }), expect: 'timestamp_too_old' },
  { name: '300 s + 1 ms ahead fails', headers: good, options: () => ({ now: Number(TS) - 300_001 }), expect: 'timestamp_in_future' },
];

/** Everything a failure message must not contain for a case: the secret, signature entries, values, body. */
function forbidden(c: Case, headers: unknown, body: unknown): string[] {
  const out = new Set<string>([SECRET, GOOD, ...(c.secrets ?? [])]);
  const add = (v: unknown) => {
    if (typeof v === 'string') {
      for (const part of v.split(',')) if (part.trim().length >= 8) out.add(part.trim().slice(0, 4096));
    } else if (Array.isArray(v)) v.forEach(add);
  };
  if (headers instanceof Map) for (const v of headers.values()) add(v);
  else if (headers instanceof Headers) headers.forEach((v) => add(v));
  else if (headers !== null && typeof headers === 'object') for (const v of Object.values(headers)) add(v);
  if (typeof body === 'string') out.add(body.slice(0, 4096));
  out.add('hostile-body-content');
  return [...out];
}

async function runCase(entry: Entry, c: Case) {
  const body = c.body ? c.body() : BODY;
  const headers = c.headers();
  const secret = c.secret ? c.secret() : SECRET;
  const options = { now: NOW, ...(c.options ? c.options() : {}) };
  try {
    return { result: await entry.verifyPayload(body, headers, secret, options), body, headers };
  } catch (error) {
    return { error: error as Error, body, headers };
  }
}

describe.each(entries)('hostile input, $name entry', (entry) => {
  it.each(cases)('$name', async (c) => {
    const { result, error, body, headers } = await runCase(entry, c);
    if (c.expect === 'TypeError') {
      expect(error).toBeInstanceOf(TypeError);
      if (!c.engineError) expect(error!.message).toMatch(/^allthings-webhooks/);
      expect(error!.message).not.toContain(SECRET);
      expect(error!.message).not.toContain('hostile-body-content');
      return;
    }
    expect(error).toBeUndefined();
    if (c.expect === 'ok') {
      expect(result).toMatchObject({ ok: true });
      return;
    }
    expect(result).toMatchObject({ ok: false, reason: c.expect });
    const message = (result as nodeEntry.VerificationFailure).message;
    for (const text of forbidden(c, headers, body)) expect(message).not.toContain(text);
  });
});

describe('the two entries agree', () => {
  it.each(cases)('$name', async (c) => {
    const [a, b] = await Promise.all(entries.map((entry) => runCase(entry, c)));
    const view = (r: Awaited<ReturnType<typeof runCase>>) =>
      r.error ? { error: r.error.constructor.name, message: r.error.message } : r.result;
    expect(view(b!)).toEqual(view(a!));
  });
});

describe.each(entries)('hasVerifiedPayload never throws for wire-shaped garbage, $name entry', (entry) => {
  // Deterministic PRNG so that a failure reproduces.
  let seed = 0x2545f491;
  const rand = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const alphabet = [...'0123456789abcdefABCDEF, \t,\r\n\0=+-.xX', '\u00a0', '\uff10', '\u0661', '\ud800', '\u0430', 'é', '😊'];
  const garbage = (max: number) => {
    const len = rand(max);
    let s = '';
    for (let i = 0; i < len; i++) s += alphabet[rand(alphabet.length)];
    return s;
  };
  const value = (): string | string[] => {
    switch (rand(6)) {
      case 0: return garbage(80);
      case 1: return [garbage(70), garbage(70)];
      case 2: return flipHex(GOOD, rand(64));
      case 3: return rand(2) ? TS : String(NOW + rand(1e9));
      case 4: return GOOD + garbage(4);
      default: return [];
    }
  };

  it('500 random deliveries: always a boolean, never true for forged input, reasons from the table', async () => {
    const reasons = new Set([
      'missing_signature', 'missing_timestamp', 'malformed_signature', 'malformed_timestamp',
      'signature_mismatch', 'timestamp_too_old', 'timestamp_in_future',
    ]);
    for (let i = 0; i < 500; i++) {
      const headers: Record<string, unknown> = {};
      const names = [SIG_H, TS_H, SIG_H.toUpperCase(), 'X-Allthings-Signature-Timestamp', 'x-other'];
      for (let k = rand(5); k > 0; k--) headers[names[rand(names.length)]!] = value();
      const body = rand(2) ? garbage(200) : enc.encode(garbage(200));
      const ok = await entry.hasVerifiedPayload(body, headers, SECRET);
      expect(typeof ok).toBe('boolean');
      const result = await entry.verifyPayload(body, headers, SECRET, { now: NOW });
      if (!result.ok) {
        expect(reasons.has(result.reason)).toBe(true);
        expect(result.message).not.toContain(SECRET);
        expect(result.message).not.toContain(GOOD);
      }
      const asMap = await entry.hasVerifiedPayload(body, new Map(Object.entries(headers)), SECRET);
      expect(asMap).toBe(ok);
    }
  });
});

describe.each(entries)('caller-supplied getters are not wire data, $name entry', (entry) => {
  it('a throwing getter on the headers object propagates the caller\'s own error (not turned into a reason)', async () => {
    const headers = { [TS_H]: TS };
    Object.defineProperty(headers, SIG_H, { enumerable: true, get: () => { throw new RangeError('getter boom'); } });
    await expect(entry.verifyPayload(BODY, headers, SECRET, { now: NOW })).rejects.toThrow('getter boom');
  });
  it('a throwing Headers-like get() propagates', async () => {
    const headers = { get: () => { throw new RangeError('get boom'); } };
    await expect(entry.verifyPayload(BODY, headers, SECRET, { now: NOW })).rejects.toThrow('get boom');
  });
});

describe.each(entries)('Object.prototype pollution does not inject headers, $name entry', (entry) => {
  it('polluted signature/timestamp keys are ignored for plain objects', async () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto[SIG_H] = GOOD;
    proto[TS_H] = TS;
    try {
      await expect(entry.verifyPayload(BODY, {}, SECRET, { now: NOW })).resolves.toMatchObject({
        ok: false,
        reason: 'missing_signature',
      });
      await expect(entry.hasVerifiedPayload(BODY, {}, SECRET)).resolves.toBe(false);
    } finally {
      delete proto[SIG_H];
      delete proto[TS_H];
    }
  });
});

describe('messages from programming errors do not echo content', () => {
  it.each(entries)('$name: a parsed body, a String object body, a String object secret', async (entry) => {
    for (const [body, secret] of [
      [JSON.parse(BODY), SECRET],
      [new String(BODY), SECRET],
      [BODY, new String(SECRET)],
      [BODY, [SECRET, new String(SECRET)]],
    ] as const) {
      const error = await entry.verifyPayload(body, good(), secret, { now: NOW }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).not.toContain('hostile-body-content');
      expect((error as Error).message).not.toContain(SECRET);
    }
  });
});

describe('web entry: inputs are copied before the first await', () => {
  const web = entries[1]!;
  const EVIL = '{"event":{"id":"evil-replacement-00","name":"ticket.deleted"}}';

  it('mutating the Uint8Array body right after the call does not change the result', async () => {
    const bytes = enc.encode(BODY);
    const pending = web.verifyPayload(bytes, good(), SECRET, { now: NOW });
    bytes.fill(0x20);
    await expect(pending).resolves.toMatchObject({ ok: true });
  });

  it('mutating the body into other validly signed bytes after the call still fails', async () => {
    const evil = enc.encode(EVIL);
    const bytes = enc.encode(BODY.padEnd(evil.length));
    const pending = web.verifyPayload(bytes, { [SIG_H]: sign(TS, evil), [TS_H]: TS }, SECRET, { now: NOW });
    bytes.set(evil);
    await expect(pending).resolves.toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('verifyEvent parses the bytes that were verified, not the mutated ones', async () => {
    const bytes = enc.encode(BODY);
    const pending = web.verifyEvent(bytes, good(), SECRET, { now: NOW });
    bytes.set(enc.encode(EVIL.slice(0, bytes.length)));
    await expect(pending).resolves.toEqual(JSON.parse(BODY));
  });

  it('mutating an ArrayBuffer body / a DataView body after the call', async () => {
    const ab = enc.encode(BODY).buffer;
    const p1 = web.verifyPayload(ab, good(), SECRET, { now: NOW });
    new Uint8Array(ab).fill(0x30);
    const dvBytes = enc.encode(BODY);
    const p2 = web.verifyEvent(new DataView(dvBytes.buffer), good(), SECRET, { now: NOW });
    dvBytes.fill(0x31);
    await expect(p1).resolves.toMatchObject({ ok: true });
    await expect(p2).resolves.toEqual(JSON.parse(BODY));
  });

  it('mutating a Buffer body and a Buffer secret after the call (Buffer#slice shares memory)', async () => {
    const bytes = Buffer.from(BODY);
    const key = Buffer.from(SECRET);
    const p1 = web.verifyEvent(bytes, good(), [Buffer.from('whsec_rotated_out'), key], { now: NOW });
    bytes.fill(0x20);
    key.fill(0x41);
    await expect(p1).resolves.toEqual(JSON.parse(BODY));
  });

  it('mutating the headers object and a single byte secret after the call', async () => {
    const headers = good();
    const key = enc.encode(SECRET);
    const pending = web.verifyPayload(BODY, headers, key, { now: NOW });
    headers[SIG_H] = flipHex(GOOD, 0);
    headers[TS_H] = '0';
    key.fill(0x41);
    await expect(pending).resolves.toMatchObject({ ok: true });
  });
});

describe.each(entries)('verifyEvent on hostile bodies, $name entry', (entry) => {
  it('authentic but not JSON: invalid_json without quoting the body', async () => {
    const body = 'hostile-body-content not json';
    const error = await entry.verifyEvent(body, { [SIG_H]: sign(TS, body), [TS_H]: TS }, SECRET, { now: NOW }).catch((e) => e);
    expect(nodeEntry.isWebhookVerificationError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'invalid_json' });
    expect((error as Error).message).not.toContain('hostile-body-content');
  });
  it('a leading BOM is rejected as invalid_json for bytes and strings alike', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode(BODY)]);
    const headers = { [SIG_H]: sign(TS, bytes), [TS_H]: TS };
    for (const body of [bytes, '\ufeff' + BODY]) {
      await expect(entry.verifyEvent(body, headers, SECRET, { now: NOW })).rejects.toMatchObject({ reason: 'invalid_json' });
    }
  });
  it('a failure reason is thrown as WebhookVerificationError with the same reason', async () => {
    await expect(
      entry.verifyEvent(BODY, { [SIG_H]: GOOD + ',zz', [TS_H]: '١٧' }, SECRET, { now: NOW }),
    ).rejects.toMatchObject({ reason: 'malformed_timestamp' });
  });
});
