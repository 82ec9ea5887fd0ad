import { describe, expect, it } from 'vitest';
import { createWebhookHandler, signPayload } from '../../src/entries/web.js';
import { createFetchHandler } from '../../src/entries/fetch.js';

describe('createWebhookHandler from the web entry (Web Crypto)', () => {
  it('runs the handler once for an authentic delivery and refuses a tampered one, through the fetch adapter', async () => {
    const seen: string[] = [];
    const handler = createWebhookHandler({
      secret: 'whsec_web_handler',
      on: { 'ticket.created': async (event) => void seen.push(event.id) },
    });
    const fetchHandler = createFetchHandler(handler);
    const body = JSON.stringify({ event: { id: 'evt-web-1', name: 'ticket.created', data: { title: 'Grüße 👋' } } });
    const headers = await signPayload(body, 'whsec_web_handler');
    const post = (text: string) =>
      fetchHandler(new Request('http://127.0.0.1/hook', { method: 'POST', headers: { ...headers }, body: text }));

    expect((await post(body)).status).toBe(200);
    expect((await post(body)).status).toBe(200);
    const tampered = await post(body.replace('Grüße', 'Grüsse'));
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(seen).toEqual(['evt-web-1']);
  });
});
