import { afterEach, describe, expect, it } from 'vitest';
import * as node from '../../src/index.js';
import * as web from '../../src/entries/web.js';

const SECRET = 'whsec_misuse_secret';
const NOW = 1_764_000_000_000;
const BODY = Buffer.from('{"event":{"id":"evt-1","name":"ticket.created"}}');
const headers = node.signPayload(BODY, SECRET, { timestamp: NOW });

// Both entries must refuse the same mistakes the same way (the web one by rejecting).
const backends = [
  ['node', (...args: Parameters<typeof node.verifyPayload>) => Promise.resolve().then(() => node.verifyPayload(...args))],
  ['web', (...args: Parameters<typeof web.verifyPayload>) => web.verifyPayload(...args)],
] as const;

describe.each(backends)('misuse of the %s entry', (_name, verify) => {
  it('does not echo a numeric secret (a YAML/JSON config value) in the TypeError', async () => {
    const error = await verify(BODY, headers, 123456789 as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as Error).message)).not.toContain('123456789');
  });

  it('does not echo sender-controlled text from a parsed body in the TypeError', async () => {
    const parsed = JSON.parse('{"constructor":{"name":"PAYLOAD-TEXT"}}');
    const error = await verify(parsed, headers, SECRET).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/plain object \(a parsed JSON body\?\).*express\.raw/s);
    expect((error as Error).message).not.toContain('PAYLOAD-TEXT');
    const numeric = await verify(42 as never, headers, SECRET).catch((e: unknown) => e);
    expect((numeric as Error).message).not.toContain('42');
  });

  it('rejects a list of secrets with a hole, whatever the delivery', async () => {
    // eslint-disable-next-line no-sparse-arrays
    const holey = ['whsec_other', , SECRET] as unknown as string[];
    await expect(verify(BODY, headers, holey)).rejects.toThrow(/entry 1/);
  });

  it('rejects req.rawHeaders (an array) and the request itself instead of answering missing_signature', async () => {
    await expect(verify(BODY, ['x-allthings-signature', 'abc'] as never, SECRET)).rejects.toThrow(/rawHeaders/);
    const request = { method: 'POST', headers, url: '/' };
    await expect(verify(BODY, request as never, SECRET)).rejects.toThrow(/request instead of its headers/);
  });

  it('rejects options given as a number (the position of hasVerifiedPayload tolerance)', async () => {
    await expect(verify(BODY, headers, SECRET, 60 as never)).rejects.toThrow(/toleranceSeconds: 60/);
  });

  it('rejects a tolerance above 7 days, where the window stops being replay protection', async () => {
    await expect(verify(BODY, headers, SECRET, { toleranceSeconds: 1e308 })).rejects.toThrow(/0 to 604800/);
    const ok = await verify(BODY, headers, SECRET, { toleranceSeconds: 604_800, now: NOW + 604_800_000 });
    expect(ok.ok).toBe(true);
  });

  it('rejects a clock function that returns nothing', async () => {
    await expect(verify(BODY, headers, SECRET, { now: (() => undefined) as never })).rejects.toThrow(/now must be/);
  });
});

describe.each(backends)('options of the %s entry with a polluted Object.prototype', (_name, verify) => {
  const proto = Object.prototype as Record<string, unknown>;
  afterEach(() => {
    delete proto.signedContent;
    delete proto.toleranceSeconds;
  });

  it('ignore inherited signedContent and toleranceSeconds', async () => {
    const bodyOnly = node.signPayload(BODY, SECRET, { timestamp: 1000, signedContent: 'body' });
    const stale = node.signPayload(BODY, SECRET, { timestamp: 1000 });
    proto.signedContent = 'body';
    proto.toleranceSeconds = 1e12;
    const result = await verify(BODY, bodyOnly, SECRET, { now: NOW });
    expect(result.ok ? 'ok' : result.reason).toBe('signature_mismatch');
    const staleResult = await verify(BODY, stale, SECRET, { now: NOW });
    expect(staleResult.ok ? 'ok' : staleResult.reason).toBe('timestamp_too_old');
  });
});

describe('the web entry', () => {
  it('uses every byte secret as it was when called, also the ones imported after the first await', async () => {
    const key = new Uint8Array(Buffer.from('0123456789abcdef'));
    const signed = node.signPayload(BODY, key, { timestamp: NOW });
    const pending = web.verifyPayload(BODY, signed, [new Uint8Array([1, 2, 3]), key], { now: NOW });
    key.fill(0x41);
    expect((await pending).ok).toBe(true);
  });
});
