import { describe, expect, it } from 'vitest';
import { vectors } from './vectors.js';

type Awaitable<T> = T | Promise<T>;
type Result = { ok: boolean; reason?: string; message?: string; timestamp?: number };
type Headers2 = Record<string, string>;

/**
 * The public verification API of one backend. The Node entry answers synchronously, the web entry with
 * Promises; the suite awaits every answer so one suite covers both.
 */
export interface WebhookApi {
  verifyPayload(body: unknown, headers: unknown, secret: unknown, options?: Record<string, unknown>): Awaitable<Result>;
  hasVerifiedPayload(body: unknown, headers: unknown, secret: unknown, toleranceSeconds?: number): Awaitable<boolean>;
  verifyEvent(body: unknown, headers: unknown, secret: unknown, options?: Record<string, unknown>): Awaitable<unknown>;
  signPayload(body: unknown, secret: unknown, options?: Record<string, unknown>): Awaitable<Headers2>;
  isWebhookVerificationError(value: unknown): boolean;
}

const SECRET = 'whsec_conformance_9d2e';
const NOW = 1_764_000_000_000;
const EVENT = { event: { id: 'e-1', name: 'ticket.created', data: { title: 'Tür klemmt – bitte prüfen 🔧' } } };
const encoder = new TextEncoder();

/** Runs `fn` and returns what it threw or rejected with; fails when it succeeded. */
async function failureOf(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure, got a result');
}

/** Behaviour beyond the vectors that every crypto backend must share: signing, parsing, errors, copies. */
export function describeApiConformance(backendName: string, api: WebhookApi): void {
  describe(`verification API through ${backendName}`, () => {
    it('signs exactly like the independent reference vector', async () => {
      const basic = vectors.find((v) => v.name === 'basic')!;
      const body = new Uint8Array(Buffer.from(basic.body_base64, 'base64'));
      const timestamp = Number(basic.headers['x-allthings-signature-timestamp']);
      const headers = await api.signPayload(body, basic.secret, { timestamp });
      expect(headers).toEqual({
        'x-allthings-signature': String(basic.headers['x-allthings-signature']).toLowerCase(),
        'x-allthings-signature-timestamp': String(timestamp),
      });
    });

    it('verifies its own signature for every body type, in ms and in s, and over the body alone', async () => {
      const text = JSON.stringify(EVENT);
      const bytes = encoder.encode(text);
      const padded = new Uint8Array(bytes.length + 7);
      padded.set(bytes, 3);
      const forms: unknown[] = [text, bytes, bytes.buffer, padded.subarray(3, 3 + bytes.length), Buffer.from(bytes)];
      const modes = [{}, { timestampUnit: 's' }, { signedContent: 'body' }];
      for (const mode of modes) {
        const headers = await api.signPayload(text, SECRET, { ...mode, timestamp: NOW });
        for (const body of forms) {
          expect(await api.verifyPayload(body, headers, SECRET, { ...mode, now: NOW })).toEqual({
            ok: true,
            timestamp: NOW,
          });
        }
      }
    });

    it('lists one signature per secret, and each secret verifies alone', async () => {
      const headers = await api.signPayload('{}', ['old_secret', 'new_secret'], { timestamp: NOW });
      expect(headers['x-allthings-signature']!.split(', ')).toHaveLength(2);
      for (const secret of ['old_secret', 'new_secret', encoder.encode('new_secret')]) {
        expect((await api.verifyPayload('{}', headers, secret, { now: NOW })).ok).toBe(true);
      }
      expect((await api.verifyPayload('{}', headers, 'other_secret', { now: NOW })).reason).toBe('signature_mismatch');
    });

    it('answers hasVerifiedPayload with the tolerance argument, both ways', async () => {
      const headers = await api.signPayload('{}', SECRET, { timestamp: Date.now() - 20_000 });
      expect(await api.hasVerifiedPayload('{}', headers, SECRET)).toBe(true);
      expect(await api.hasVerifiedPayload('{}', headers, SECRET, 5)).toBe(false);
      expect(await api.hasVerifiedPayload('{"x":1}', headers, SECRET)).toBe(false);
    });

    it('parses a verified event and rejects a tampered one with its reason', async () => {
      const body = JSON.stringify(EVENT);
      const headers = await api.signPayload(body, SECRET, { timestamp: NOW });
      expect(await api.verifyEvent(encoder.encode(body), headers, SECRET, { now: NOW })).toEqual(EVENT);
      const err = await failureOf(() => api.verifyEvent(body + ' ', headers, SECRET, { now: NOW }));
      expect(api.isWebhookVerificationError(err)).toBe(true);
      expect(err).toMatchObject({ reason: 'signature_mismatch', code: 'ERR_ALLTHINGS_WEBHOOK_VERIFICATION' });
    });

    it('reports invalid_json for an authentic non-JSON body, and for a leading BOM in every body type', async () => {
      const bom = '\uFEFF{"event":{}}';
      for (const body of ['not json', bom]) {
        const headers = await api.signPayload(body, SECRET, { timestamp: NOW });
        for (const form of [body, encoder.encode(body), Buffer.from(body, 'utf8'), encoder.encode(body).buffer]) {
          const err = await failureOf(() => api.verifyEvent(form, headers, SECRET, { now: NOW }));
          expect(err).toMatchObject({ reason: 'invalid_json' });
          expect((err as Error).message).not.toContain('not json');
        }
      }
    });

    it('never puts the secret, the signatures or the body into a failure message', async () => {
      const body = '{"event":{"id":"secret-payload-marker"}}';
      const headers = await api.signPayload(body, SECRET, { timestamp: NOW - 3_600_000 });
      const stale = await api.verifyPayload(body, headers, SECRET, { now: NOW });
      const wrong = await api.verifyPayload(body, headers, 'whsec_wrong_secret', { now: NOW });
      for (const result of [stale, wrong]) {
        expect(result.ok).toBe(false);
        for (const leak of [SECRET, 'whsec_wrong_secret', 'secret-payload-marker', headers['x-allthings-signature']]) {
          expect(result.message).not.toContain(leak);
        }
      }
      expect(stale.reason).toBe('timestamp_too_old');
      expect(stale.message).toContain('3600 s behind');
    });

    it('verifies the bytes as passed, even when the caller changes them right after the call', async () => {
      const body = encoder.encode(JSON.stringify(EVENT));
      const headers = await api.signPayload(body, SECRET, { timestamp: NOW });
      const pending = api.verifyPayload(body, headers, SECRET, { now: NOW });
      const pendingEvent = api.verifyEvent(body, headers, SECRET, { now: NOW });
      body.fill(0x20);
      expect(await pending).toEqual({ ok: true, timestamp: NOW });
      expect(await pendingEvent).toEqual(EVENT);
    });

    it('uses the current bytes of a byte secret that was changed in place', async () => {
      const secret = encoder.encode('first_secret_bytes');
      const headers = await api.signPayload('{}', secret, { timestamp: NOW });
      expect((await api.verifyPayload('{}', headers, secret, { now: NOW })).ok).toBe(true);
      secret[0] = 0x46;
      expect((await api.verifyPayload('{}', headers, secret, { now: NOW })).reason).toBe('signature_mismatch');
      expect((await api.verifyPayload('{}', headers, secret.buffer, { now: NOW })).reason).toBe('signature_mismatch');
    });

    it('throws a TypeError that shows how to pass the raw body when given a parsed object', async () => {
      const headers = await api.signPayload('{}', SECRET, { timestamp: NOW });
      const err = await failureOf(() => api.verifyPayload(EVENT, headers, SECRET, { now: NOW }));
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toContain('raw request body');
    });

    it('throws TypeErrors for an empty secret, a padded secret and bad options', async () => {
      const headers = await api.signPayload('{}', SECRET, { timestamp: NOW });
      const mistakes: Array<() => unknown> = [
        () => api.verifyPayload('{}', headers, ''),
        () => api.verifyPayload('{}', headers, `${SECRET}\n`),
        () => api.verifyPayload('{}', headers, []),
        () => api.verifyPayload('{}', headers, SECRET, { toleranceSeconds: -1 }),
        () => api.verifyPayload('{}', headers, SECRET, { timestampUnit: 'us' }),
        () => api.hasVerifiedPayload('{}', headers, SECRET, Number.NaN),
        () => api.signPayload('{}', SECRET, { timestampUnit: 'us' }),
      ];
      for (const mistake of mistakes) expect(await failureOf(mistake)).toBeInstanceOf(TypeError);
    });
  });
}
