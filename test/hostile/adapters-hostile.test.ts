// Second round of hostile tests against the Lambda and Fetch adapters: event and request shapes that made a
// signed delivery look like a setup ping, or made the adapter throw an engine error instead of answering.
import { describe, expect, it } from 'vitest';
import { createWebhookHandler, signPayload } from 'allthings-webhooks';
import { createFetchHandler } from 'allthings-webhooks/fetch';
import { createLambdaHandler } from 'allthings-webhooks/lambda';

const SECRET = 'whsec_adapters_9e3a';
const NOW = 1_764_000_000_000;
const envelope = (id: string) => JSON.stringify({ event: { id, name: 'ticket.created', data: {} } });

function harness() {
  const runs: string[] = [];
  const handler = createWebhookHandler({ secret: SECRET, now: NOW, on: { 'ticket.created': (event) => void runs.push(event.id) } });
  return { handler, runs };
}

describe('Lambda: a signed delivery is never taken for a setup ping', () => {
  // `multiValueHeaders ?? headers` picked an empty (or partial) multiValueHeaders over populated headers, so a
  // signed delivery answered 200 "ping" and was never processed (lost for good: the provider stops retrying).
  it('an empty multiValueHeaders object next to signed headers → processed, not ping', async () => {
    const { handler, runs } = harness();
    const lambda = createLambdaHandler(handler);
    const body = envelope('evt-lambda-empty-multi');
    const answer = await lambda({ httpMethod: 'POST', headers: signPayload(body, SECRET, { timestamp: NOW }), multiValueHeaders: {}, body });
    expect([answer.statusCode, JSON.parse(answer.body)]).toEqual([200, { ok: true, outcome: 'processed' }]);
    expect(runs).toEqual(['evt-lambda-empty-multi']);
  });

  it('multiValueHeaders holding other headers only → the signature headers are read from headers', async () => {
    const { handler, runs } = harness();
    const lambda = createLambdaHandler(handler);
    const body = envelope('evt-lambda-partial-multi');
    const answer = await lambda({
      httpMethod: 'POST',
      headers: { ...signPayload(body, SECRET, { timestamp: NOW }), 'Content-Type': 'application/json' },
      multiValueHeaders: { 'Content-Type': ['application/json'] },
      body,
    });
    expect([answer.statusCode, JSON.parse(answer.body)]).toEqual([200, { ok: true, outcome: 'processed' }]);
    expect(runs).toEqual(['evt-lambda-partial-multi']);
  });

  it('multiValueHeaders still win where they hold the header: a forged single value hides nothing', async () => {
    const { handler, runs } = harness();
    const lambda = createLambdaHandler(handler);
    const body = envelope('evt-lambda-multi-wins');
    const signed = signPayload(body, SECRET, { timestamp: NOW });
    const forged = { 'X-Allthings-Signature': 'f'.repeat(64), 'X-Allthings-Signature-Timestamp': signed['x-allthings-signature-timestamp'] };
    const answer = await lambda({
      httpMethod: 'POST',
      headers: forged,
      multiValueHeaders: { 'X-Allthings-Signature': ['f'.repeat(64), signed['x-allthings-signature']] },
      body,
    });
    expect([answer.statusCode, JSON.parse(answer.body)]).toEqual([200, { ok: true, outcome: 'processed' }]);
    expect(runs).toEqual(['evt-lambda-multi-wins']);
  });
});

describe('Fetch: a body another reader holds', () => {
  // A middleware that took a reader (request.body.getReader()) leaves bodyUsed false but the stream locked;
  // the adapter threw the engine's "ReadableStream is locked" instead of answering.
  it('a locked, unread body → 500 body_already_parsed, like a used one; the handler does not run', async () => {
    const { handler, runs } = harness();
    const receive = createFetchHandler(handler);
    const body = envelope('evt-fetch-locked');
    const request = new Request('http://localhost/webhooks', { method: 'POST', body, headers: signPayload(body, SECRET, { timestamp: NOW }) });
    request.body!.getReader();
    const response = await receive(request);
    expect(response.status).toBe(500);
    expect(((await response.json()) as { reason: string }).reason).toBe('body_already_parsed');
    expect(runs).toEqual([]);
  });
});
