import { describe, expect, it } from 'vitest';
import {
  hasVerifiedPayload,
  isWebhookVerificationError,
  signPayload,
  verifyEvent,
  verifyPayload,
  WebhookVerificationError,
  type VerificationResult,
} from '../../src/index.js';

const SECRET = 'whsec_test_secret_for_failures';
const NOW = 1_764_000_000_000;
const event = { event: { id: 'evt-1', name: 'ticket.created', data: { title: 'Küche: Wasserhahn tropft 💧' } } };
const BODY = Buffer.from(JSON.stringify(event, null, 2), 'utf8');
const sign = (body: Buffer | string = BODY, options: Parameters<typeof signPayload>[2] = {}) =>
  signPayload(body, SECRET, { timestamp: NOW, ...options });
const verify = (body: Parameters<typeof verifyPayload>[0], headers: Parameters<typeof verifyPayload>[1], options = {}) =>
  verifyPayload(body, headers, SECRET, { now: NOW, ...options });
const reasonOf = (result: VerificationResult) => (result.ok ? 'ok' : result.reason);
const signatureOf = (headers: Record<string, string>) => headers['x-allthings-signature']!;

describe('bodies changed on the way', () => {
  it('rejects a body re-serialized by a JSON parser as signature_mismatch and says why', () => {
    const headers = sign();
    const reserialized = JSON.stringify(JSON.parse(BODY.toString('utf8')));
    const result = verify(reserialized, headers);
    expect(reasonOf(result)).toBe('signature_mismatch');
    expect(!result.ok && result.message).toMatch(/body parser/);
  });

  it('verifies multi-byte UTF-8 text given as a string and as bytes', () => {
    const text = '{"t":"Zoë 😊 – Ünïcødé"}';
    const headers = sign(Buffer.from(text, 'utf8'));
    expect(verify(text, headers).ok).toBe(true);
    expect(verify(Buffer.from(text, 'utf8'), headers).ok).toBe(true);
  });

  it('verifies bytes that are not valid UTF-8, and rejects them once decoded to text', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d]);
    const headers = sign(bytes);
    expect(verify(bytes, headers).ok).toBe(true);
    expect(reasonOf(verify(bytes.toString('utf8'), headers))).toBe('signature_mismatch');
  });

  it('rejects a trailing CRLF added after signing', () => {
    expect(reasonOf(verify(Buffer.concat([BODY, Buffer.from('\r\n')]), sign()))).toBe('signature_mismatch');
  });

  it('rejects a trailing CRLF dropped after signing', () => {
    const signed = Buffer.concat([BODY, Buffer.from('\r\n')]);
    expect(reasonOf(verify(BODY, sign(signed)))).toBe('signature_mismatch');
  });

  it('verifies a Uint8Array view into a larger buffer over its own bytes only', () => {
    const padded = Buffer.concat([Buffer.from('xx'), BODY, Buffer.from('yy')]);
    const view = new Uint8Array(padded.buffer, padded.byteOffset + 2, BODY.length);
    expect(verify(view, sign()).ok).toBe(true);
  });
});

describe('signature header forms', () => {
  const headers = sign();
  const hex = signatureOf(headers);
  const withSignature = (value: string | string[]) => ({ ...headers, 'x-allthings-signature': value as string });

  it('rejects base64 instead of hex as malformed_signature', () => {
    const b64 = Buffer.from(hex, 'hex').toString('base64');
    expect(reasonOf(verify(BODY, withSignature(b64)))).toBe('malformed_signature');
  });

  it("rejects a 'sha256=' prefix as malformed_signature", () => {
    expect(reasonOf(verify(BODY, withSignature(`sha256=${hex}`)))).toBe('malformed_signature');
  });

  it('rejects hex with junk after the 64 digits (a lenient decoder would truncate)', () => {
    expect(reasonOf(verify(BODY, withSignature(`${hex}zz`)))).toBe('malformed_signature');
    expect(reasonOf(verify(BODY, withSignature(`${hex}00`)))).toBe('malformed_signature');
  });

  it.each([0, 2, 62, 63, 65, 66, 128, 4096])('answers malformed_signature, without throwing, for %i hex digits', (n) => {
    const value = 'a'.repeat(n);
    expect(() => verify(BODY, withSignature(value))).not.toThrow();
    expect(reasonOf(verify(BODY, withSignature(value)))).toBe(n === 0 ? 'missing_signature' : 'malformed_signature');
  });

  it('accepts the matching signature in a comma list, in any position, with spaces and tabs', () => {
    const other = 'b'.repeat(64);
    expect(verify(BODY, withSignature(`${other},${hex}`)).ok).toBe(true);
    expect(verify(BODY, withSignature(`\t${hex} ,  ${other}`)).ok).toBe(true);
  });

  it('accepts the matching signature in a repeated header (array), beside a malformed entry', () => {
    expect(verify(BODY, withSignature(['sha256=xyz', hex])).ok).toBe(true);
  });

  it('reports malformed_signature when a malformed entry sits beside well-formed ones that do not match', () => {
    expect(reasonOf(verify(BODY, withSignature(['junk', 'c'.repeat(64)])))).toBe('malformed_signature');
  });

  it('reads a repeated header from Fetch Headers', () => {
    const h = new Headers();
    h.append('X-Allthings-Signature', 'd'.repeat(64));
    h.append('X-Allthings-Signature', hex);
    h.set('X-Allthings-Signature-Timestamp', headers['x-allthings-signature-timestamp']);
    expect(verify(BODY, h).ok).toBe(true);
  });

  it('treats an empty or blank signature header as missing_signature', () => {
    expect(reasonOf(verify(BODY, withSignature('')))).toBe('missing_signature');
    expect(reasonOf(verify(BODY, withSignature(' \t ')))).toBe('missing_signature');
    expect(reasonOf(verify(BODY, withSignature([])))).toBe('missing_signature');
  });

  it('treats a header of only commas as malformed, not missing (missing would read as a setup ping)', () => {
    expect(reasonOf(verify(BODY, withSignature(' , \t')))).toBe('malformed_signature');
    expect(reasonOf(verify(BODY, { ...headers, 'x-allthings-signature-timestamp': ',' }))).toBe('malformed_timestamp');
  });

  it('reads custom header names', () => {
    const custom = { 'X-Sig': hex, 'X-Ts': headers['x-allthings-signature-timestamp'] };
    expect(verify(BODY, custom, { signatureHeader: 'X-Sig', timestampHeader: 'x-ts' }).ok).toBe(true);
  });
});

describe('several secrets and several signatures', () => {
  const secrets = ['whsec_old_1111', 'whsec_current_2222', 'whsec_next_3333'];

  it('accepts a delivery signed by any one of three secrets, with three signatures listed', () => {
    for (const signer of secrets) {
      const headers = signPayload(BODY, signer, { timestamp: NOW });
      const listed = { ...headers, 'x-allthings-signature': `${'e'.repeat(64)}, ${signatureOf(headers)}, ${'f'.repeat(64)}` };
      expect(verifyPayload(BODY, listed, secrets, { now: NOW }).ok).toBe(true);
    }
  });

  it('accepts a header signed with several secrets (signPayload lists one signature per secret)', () => {
    const headers = signPayload(BODY, ['whsec_a_1', 'whsec_b_2'], { timestamp: NOW });
    expect(signatureOf(headers).split(', ')).toHaveLength(2);
    expect(verifyPayload(BODY, headers, 'whsec_b_2', { now: NOW }).ok).toBe(true);
  });

  it('rejects when none of the secrets signed it', () => {
    const headers = signPayload(BODY, 'whsec_stranger', { timestamp: NOW });
    expect(reasonOf(verifyPayload(BODY, headers, secrets, { now: NOW }))).toBe('signature_mismatch');
  });

  it('takes secrets as bytes and as ArrayBuffer', () => {
    const key = Buffer.from('00ff10ee20dd30cc', 'hex');
    const headers = signPayload(BODY, key, { timestamp: NOW });
    expect(verifyPayload(BODY, headers, new Uint8Array(key), { now: NOW }).ok).toBe(true);
    expect(verifyPayload(BODY, headers, key.buffer.slice(key.byteOffset, key.byteOffset + key.length), { now: NOW }).ok).toBe(true);
  });
});

describe('timestamps', () => {
  const at = (offsetMs: number, options: Parameters<typeof signPayload>[2] = {}) =>
    verify(BODY, sign(BODY, { timestamp: NOW + offsetMs, ...options }));

  it('accepts exactly 300 s old and exactly 300 s ahead', () => {
    expect(at(-300_000).ok).toBe(true);
    expect(at(300_000).ok).toBe(true);
  });

  it('rejects 300.001 s old as timestamp_too_old and 301 s ahead as timestamp_in_future', () => {
    expect(reasonOf(at(-300_001))).toBe('timestamp_too_old');
    expect(reasonOf(at(301_000))).toBe('timestamp_in_future');
  });

  it('reports the measured offset and the unit when outside the window', () => {
    const result = at(-420_000);
    expect(!result.ok && result.message).toMatch(/420 s behind .* 300 s tolerance \(timestamp unit: ms\)/);
  });

  it('honours a custom tolerance, including 0', () => {
    expect(verify(BODY, sign(BODY, { timestamp: NOW - 5_000 }), { toleranceSeconds: 10 }).ok).toBe(true);
    expect(reasonOf(verify(BODY, sign(BODY, { timestamp: NOW - 11_000 }), { toleranceSeconds: 10 }))).toBe('timestamp_too_old');
    expect(verify(BODY, sign(), { toleranceSeconds: 0 }).ok).toBe(true);
    expect(reasonOf(verify(BODY, sign(BODY, { timestamp: NOW + 1 }), { toleranceSeconds: 0 }))).toBe('timestamp_in_future');
  });

  it('reads a seconds timestamp as 1970 under the default ms unit, and says to set timestampUnit', () => {
    const result = verify(BODY, sign(BODY, { timestampUnit: 's' }));
    expect(reasonOf(result)).toBe('timestamp_too_old');
    expect(!result.ok && result.message).toMatch(/timestampUnit: 's'/);
  });

  it("accepts a seconds timestamp with timestampUnit 's' and reports the time in ms", () => {
    expect(verify(BODY, sign(BODY, { timestampUnit: 's' }), { timestampUnit: 's' })).toEqual({ ok: true, timestamp: NOW });
  });

  it("rejects a ms timestamp under timestampUnit 's' as in the future, with a hint", () => {
    const result = verify(BODY, sign(), { timestampUnit: 's' });
    expect(reasonOf(result)).toBe('timestamp_in_future');
    expect(!result.ok && result.message).toMatch(/milliseconds/);
  });

  it('accepts a Date and a function as the clock', () => {
    expect(verify(BODY, sign(), { now: new Date(NOW) }).ok).toBe(true);
    expect(verify(BODY, sign(), { now: () => NOW }).ok).toBe(true);
  });

  it.each(['+1764000000000', '-1764000000000', '1.764e12', '0x19AB', '1764000000000.0', '1764000000000ms', '１７６４'])(
    'rejects the timestamp %j as malformed_timestamp even when it is signed',
    (text) => {
      const signature = signatureOf(signPayload(Buffer.concat([Buffer.from(text), BODY]), SECRET, { signedContent: 'body' }));
      const headers = { 'x-allthings-signature': signature, 'x-allthings-signature-timestamp': text };
      expect(reasonOf(verify(BODY, headers))).toBe('malformed_timestamp');
    },
  );

  it('trims spaces and tabs around the timestamp; the trimmed text is what was signed', () => {
    const headers = sign();
    const padded = { ...headers, 'x-allthings-signature-timestamp': ` \t${headers['x-allthings-signature-timestamp']}\t ` };
    expect(verify(BODY, padded).ok).toBe(true);
  });

  it('accepts a repeated identical timestamp and rejects differing ones', () => {
    const headers = sign();
    const ts = headers['x-allthings-signature-timestamp'];
    expect(verify(BODY, { ...headers, 'x-allthings-signature-timestamp': [ts, ts] as unknown as string }).ok).toBe(true);
    expect(reasonOf(verify(BODY, { ...headers, 'x-allthings-signature-timestamp': `${ts}, ${Number(ts) + 1}` }))).toBe(
      'malformed_timestamp',
    );
  });

  it('answers missing_timestamp for an absent or blank header', () => {
    const { 'x-allthings-signature-timestamp': _ts, ...rest } = sign();
    expect(reasonOf(verify(BODY, rest))).toBe('missing_timestamp');
    expect(reasonOf(verify(BODY, { ...rest, 'x-allthings-signature-timestamp': '  ' }))).toBe('missing_timestamp');
  });
});

describe('precedence', () => {
  it('reports a stale delivery with a wrong signature as signature_mismatch', () => {
    const headers = signPayload(BODY, 'whsec_wrong', { timestamp: NOW - 3_600_000 });
    expect(reasonOf(verify(BODY, headers))).toBe('signature_mismatch');
  });

  it('reports missing_signature before missing_timestamp', () => {
    expect(reasonOf(verify(BODY, {}))).toBe('missing_signature');
  });

  it('reports malformed_timestamp before comparing signatures', () => {
    expect(reasonOf(verify(BODY, { 'x-allthings-signature': 'a'.repeat(64), 'x-allthings-signature-timestamp': 'soon' }))).toBe(
      'malformed_timestamp',
    );
  });

  it('checks the timestamp it was given in body-only mode, although it is not signed', () => {
    const headers = signPayload(BODY, SECRET, { timestamp: NOW - 900_000, signedContent: 'body' });
    expect(reasonOf(verify(BODY, headers, { signedContent: 'body' }))).toBe('timestamp_too_old');
  });
});

describe('messages', () => {
  it('never contain the secret, a signature, a header value or body content', () => {
    const marker = 'BODY-MARKER-8f3a';
    const body = Buffer.from(JSON.stringify({ event: { id: 'x', data: { marker } } }));
    const headers = sign(body);
    const ts = headers['x-allthings-signature-timestamp'];
    const cases: Array<Record<string, string>> = [
      {},
      { 'x-allthings-signature': signatureOf(headers) },
      { ...headers, 'x-allthings-signature': `sha256=${signatureOf(headers)}` },
      { ...headers, 'x-allthings-signature-timestamp': `${ts}x` },
      signPayload(body, 'whsec_other', { timestamp: NOW }),
      sign(body, { timestamp: NOW - 900_000 }),
      sign(body, { timestamp: NOW + 900_000 }),
    ];
    for (const h of cases) {
      const result = verify(Buffer.from(body.toString().replace('x', 'y')), h);
      const again = verify(body, h);
      for (const r of [result, again]) {
        if (r.ok) continue;
        expect(r.message).not.toContain(SECRET);
        expect(r.message).not.toContain(marker);
        expect(r.message).not.toContain(signatureOf(headers));
        expect(r.message).not.toContain(ts);
      }
    }
  });
});

describe('programming errors throw TypeError with the fix', () => {
  const headers = sign();

  it('for a parsed object instead of the raw body, naming express.raw and Next.js', () => {
    expect(() => verifyPayload(event as never, headers, SECRET)).toThrow(TypeError);
    expect(() => verifyPayload(event as never, headers, SECRET)).toThrow(/express\.raw.*Fastify.*Next\.js/s);
  });

  it('for undefined or null instead of the raw body', () => {
    expect(() => verifyPayload(undefined as never, headers, SECRET)).toThrow(/raw request body/);
    expect(() => verifyPayload(null as never, headers, SECRET)).toThrow(/raw request body/);
  });

  it('for an empty, whitespace-padded or missing secret', () => {
    expect(() => verifyPayload(BODY, headers, '')).toThrow(/secret is empty/);
    expect(() => verifyPayload(BODY, headers, `${SECRET}\n`)).toThrow(/whitespace.*trim/is);
    expect(() => verifyPayload(BODY, headers, undefined as never)).toThrow(TypeError);
    expect(() => verifyPayload(BODY, headers, [])).toThrow(/list of secrets is empty/);
    expect(() => verifyPayload(BODY, headers, [SECRET, ' x'])).toThrow(/entry 1/);
    expect(() => verifyPayload(BODY, headers, new Uint8Array(0))).toThrow(/empty/);
  });

  it('for a negative, non-finite or non-number tolerance', () => {
    for (const t of [-1, Number.NaN, Number.POSITIVE_INFINITY, '300']) {
      expect(() => verifyPayload(BODY, headers, SECRET, { toleranceSeconds: t as number })).toThrow(/toleranceSeconds/);
      expect(() => hasVerifiedPayload(BODY, headers, SECRET, t as number)).toThrow(TypeError);
    }
  });

  it('for an unknown unit, signed-content mode or clock', () => {
    expect(() => verifyPayload(BODY, headers, SECRET, { timestampUnit: 'seconds' as never })).toThrow(/timestampUnit/);
    expect(() => verifyPayload(BODY, headers, SECRET, { signedContent: 'all' as never })).toThrow(/signedContent/);
    expect(() => verifyPayload(BODY, headers, SECRET, { now: new Date('nope') })).toThrow(/now must be/);
  });

  it('for headers that are not an object', () => {
    expect(() => verifyPayload(BODY, undefined as never, SECRET)).toThrow(/req\.headers/);
  });

  it('does not echo the secret in the TypeError', () => {
    expect(() => verifyPayload(BODY, headers, ` ${SECRET}`)).not.toThrow(new RegExp(SECRET));
  });
});

describe('hasVerifiedPayload', () => {
  it('answers true for a fresh authentic delivery and false otherwise, with the default 300 s window', () => {
    const fresh = signPayload(BODY, SECRET);
    expect(hasVerifiedPayload(BODY, fresh, SECRET)).toBe(true);
    expect(hasVerifiedPayload(Buffer.concat([BODY, Buffer.from(' ')]), fresh, SECRET)).toBe(false);
    expect(hasVerifiedPayload(BODY, signPayload(BODY, SECRET, { timestamp: Date.now() - 301_000 }), SECRET)).toBe(false);
    expect(hasVerifiedPayload(BODY, signPayload(BODY, SECRET, { timestamp: Date.now() - 500_000 }), SECRET, 600)).toBe(true);
  });

  it('never throws for odd header values from the wire', () => {
    const odd: unknown[] = [{}, { 'x-allthings-signature': 42 }, { 'x-allthings-signature': [null, undefined] }, new Map([[1, 2]]), new Headers()];
    for (const h of odd) expect(hasVerifiedPayload(BODY, h as never, SECRET)).toBe(false);
  });
});

describe('verifyEvent', () => {
  it('returns the parsed event of an authentic delivery', () => {
    const parsed = verifyEvent<typeof event>(BODY, sign(), SECRET, { now: NOW });
    expect(parsed.event.data.title).toBe('Küche: Wasserhahn tropft 💧');
  });

  it('throws WebhookVerificationError with the reason for an inauthentic delivery', () => {
    try {
      verifyEvent(BODY, signPayload(BODY, 'whsec_wrong', { timestamp: NOW }), SECRET, { now: NOW });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WebhookVerificationError);
      expect(isWebhookVerificationError(error)).toBe(true);
      expect((error as WebhookVerificationError).reason).toBe('signature_mismatch');
      expect((error as WebhookVerificationError).code).toBe('ERR_ALLTHINGS_WEBHOOK_VERIFICATION');
    }
  });

  it('throws invalid_json for an authentic body that is not JSON, without quoting it', () => {
    const notJson = Buffer.from('<xml>geheim</xml>');
    expect(() => verifyEvent(notJson, sign(notJson), SECRET, { now: NOW })).toThrow(
      expect.objectContaining({ reason: 'invalid_json', message: expect.not.stringContaining('geheim') }),
    );
  });
});
