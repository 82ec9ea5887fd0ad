import { describe, expect, it } from 'vitest';
import { startVerification } from '../../src/verify/stream.js';
import { signPayload, verifyPayload } from '../../src/index.js';
import { describeVectorConformance } from '../support/verify-conformance.js';

function bytesOf(body: unknown): Uint8Array {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return body as Uint8Array;
}

// The streaming verifier must answer exactly like verifyPayload, whatever the chunking: every shared vector,
// fed in three uneven chunks (splitting multi-byte characters where the body has them).
describeVectorConformance('startVerification (node:crypto, chunked)', {
  verifyPayload(body, headers, secret, options) {
    const bytes = bytesOf(body);
    const verification = startVerification(headers as never, secret as never, options);
    const cuts = [0, Math.floor(bytes.length / 3) + 1, Math.floor((2 * bytes.length) / 3), bytes.length];
    for (let i = 0; i < 3; i++) verification.update(bytes.subarray(Math.min(cuts[i]!, bytes.length), Math.min(cuts[i + 1]!, bytes.length)));
    return verification.finish();
  },
});

describe('startVerification', () => {
  const secret = 'whsec_stream';
  const body = Buffer.from(JSON.stringify({ event: { id: 'e', data: 'x'.repeat(100_000) } }));

  it('gives the same result one byte at a time as verifyPayload over the whole body', () => {
    const headers = signPayload(body, secret);
    const verification = startVerification(headers, secret);
    for (let i = 0; i < body.length; i += 1) verification.update(body.subarray(i, i + 1));
    expect(verification.finish()).toEqual(verifyPayload(body, headers, secret));
  });

  it('judges freshness when finished, not when started', () => {
    let now = 1_764_000_000_000;
    const headers = signPayload(body, secret, { timestamp: now });
    const verification = startVerification(headers, secret, { now: () => now });
    verification.update(body);
    now += 301_000;
    const result = verification.finish();
    expect(result.ok ? 'ok' : result.reason).toBe('timestamp_too_old');
  });

  it('refuses to be finished twice or fed after finishing', () => {
    const verification = startVerification(signPayload(body, secret), secret);
    verification.update(body);
    verification.finish();
    expect(() => verification.finish()).toThrow(/twice/);
    expect(() => verification.update(body)).toThrow(/after finish/);
  });
});
