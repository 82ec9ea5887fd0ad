import { describe, expect, it } from 'vitest';
import { createWebhookHandler, signPayload } from '../../src/index.js';

const secret = 'whsec_handler_stream';
const body = Buffer.from(JSON.stringify({ event: { id: 'evt-s1', name: 'ticket.created', data: { t: 'Grüße 👋' } } }));

function chunksOf(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

describe('handler.begin (hashing while the body streams in)', () => {
  it('answers like handle(): processed, then duplicate, then 401 for a tampered copy', async () => {
    const runs: string[] = [];
    const webhooks = createWebhookHandler({ secret, on: { 'ticket.created': async (e) => void runs.push(e.id) } });
    const headers = signPayload(body, secret);
    const stream = async (bytes: Buffer) => {
      const sink = webhooks.begin(headers);
      for (const chunk of chunksOf(bytes, 7)) sink.write(chunk);
      return sink.end();
    };
    expect(await stream(body)).toMatchObject({ status: 200, outcome: 'processed' });
    expect(await stream(body)).toMatchObject({ status: 200, outcome: 'duplicate' });
    const tampered = Buffer.from(body.toString().replace('Grüße', 'Grusse'));
    expect(await stream(tampered)).toMatchObject({ status: 401 });
    expect(runs).toEqual(['evt-s1']);
  });

  it('treats a request without a signature header as the setup ping', async () => {
    const webhooks = createWebhookHandler({ secret, on: {} });
    const sink = webhooks.begin({});
    sink.write(body);
    expect(await sink.end()).toMatchObject({ status: 200, outcome: 'ping' });
  });

  it('uses a custom verifier on the whole body instead of streaming', async () => {
    const seen: number[] = [];
    const webhooks = createWebhookHandler({
      secret,
      on: { 'ticket.created': async () => undefined },
      verifier: (raw) => {
        seen.push((raw as Uint8Array).byteLength);
        return { ok: true, timestamp: Date.now() };
      },
    });
    const sink = webhooks.begin(signPayload(body, secret));
    for (const chunk of chunksOf(body, 5)) sink.write(chunk);
    expect(await sink.end()).toMatchObject({ status: 200, outcome: 'processed' });
    expect(seen).toEqual([body.byteLength]);
  });

  it('parses exactly the chunks written, joined (a character split across chunks included)', async () => {
    const seen: unknown[] = [];
    const webhooks = createWebhookHandler({ secret, on: { 'ticket.created': async (e) => void seen.push(e.data) } });
    const sink = webhooks.begin(signPayload(body, secret));
    // 'ü' and '👋' are several bytes: 3-byte chunks split them.
    for (const chunk of chunksOf(body, 3)) sink.write(chunk);
    expect(await sink.end()).toMatchObject({ status: 200, outcome: 'processed' });
    expect(seen).toEqual([{ t: 'Grüße 👋' }]);
  });

  it('throws a TypeError for end() twice, write() after end() and a string chunk', async () => {
    const webhooks = createWebhookHandler({ secret, on: {} });
    const sink = webhooks.begin(signPayload(body, secret));
    expect(() => sink.write('text' as unknown as Uint8Array)).toThrow(/takes the body as bytes/);
    sink.write(body);
    await sink.end();
    await expect(sink.end()).rejects.toThrow(/end\(\) was called twice/);
    expect(() => sink.write(body)).toThrow(/write\(\) after end\(\)/);
  });
});
