// The Lambda adapter with events in the shapes API Gateway and function URLs deliver (recorded layouts,
// trimmed to the fields that matter, with the signature headers added).
import { describe, expect, it } from 'vitest';
import { createLambdaHandler, type LambdaHttpEvent } from 'allthings-webhooks/lambda';
import { envelope, signed } from '../integration/support/http.js';
import { recordingHandler } from '../integration/support/scenarios.js';

function restApiV1(body: string, headers: Record<string, string>, base64 = false): LambdaHttpEvent {
  const titled = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()), v]));
  return {
    resource: '/webhooks',
    path: '/webhooks',
    httpMethod: 'POST',
    headers: titled,
    multiValueHeaders: Object.fromEntries(Object.entries(titled).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    requestContext: { resourcePath: '/webhooks', httpMethod: 'POST', stage: 'prod', requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  } as LambdaHttpEvent;
}

function httpApiV2(body: string, headers: Record<string, string>, base64: boolean, functionUrl = false): LambdaHttpEvent {
  return {
    version: '2.0',
    routeKey: functionUrl ? '$default' : 'POST /webhooks',
    rawPath: '/webhooks',
    rawQueryString: '',
    headers: { 'x-forwarded-proto': 'https', ...headers },
    requestContext: {
      domainName: functionUrl ? 'abcdefg.lambda-url.eu-central-1.on.aws' : 'id.execute-api.eu-central-1.amazonaws.com',
      http: { method: 'POST', path: '/webhooks', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'allthings' },
      requestId: 'JKJaXmPLvHcESHA=',
      stage: '$default',
    },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  } as LambdaHttpEvent;
}

describe('createLambdaHandler', () => {
  const cases: Array<[string, (body: string, headers: Record<string, string>) => LambdaHttpEvent]> = [
    ['API Gateway REST (v1)', (b, h) => restApiV1(b, h)],
    ['API Gateway REST (v1), base64 body', (b, h) => restApiV1(b, h, true)],
    ['API Gateway HTTP API (v2)', (b, h) => httpApiV2(b, h, false)],
    ['API Gateway HTTP API (v2), base64 body', (b, h) => httpApiV2(b, h, true)],
    ['function URL, base64 body', (b, h) => httpApiV2(b, h, true, true)],
  ];
  for (const [name, shape] of cases) {
    it(`verifies and processes a ${name} event, then answers a duplicate with 200`, async () => {
      const { handler, seen } = recordingHandler();
      const receive = createLambdaHandler(handler);
      const body = envelope(`evt_${name}`, 'ticket.created', { title: 'Bäckerei 🥐' });
      const result = await receive(shape(body, signed(body)));
      expect(result).toEqual({
        statusCode: 200,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        body: '{"ok":true,"outcome":"processed"}',
        isBase64Encoded: false,
      });
      expect((await receive(shape(body, signed(body)))).body).toBe('{"ok":true,"outcome":"duplicate"}');
      expect(seen.data).toEqual([{ title: 'Bäckerei 🥐' }]);
    });
  }

  it('rejects a tampered base64 body with 401 and never runs the handler', async () => {
    const { handler, seen } = recordingHandler();
    const body = envelope('evt_l_1');
    const event = httpApiV2(body.replace('Leaking', 'Leaky'), signed(body), true);
    expect(await createLambdaHandler(handler)(event)).toMatchObject({ statusCode: 401, body: '{"ok":false,"reason":"signature_mismatch"}' });
    expect(seen.started).toBe(0);
  });

  it('answers a ping without signature headers (body null) with 200, GET with 405, an oversized body with 413', async () => {
    const { handler, seen } = recordingHandler();
    const receive = createLambdaHandler(handler, { bodyLimit: 64 });
    expect((await receive({ ...httpApiV2('', {}, false), body: null })).statusCode).toBe(200);
    expect((await receive({ ...restApiV1('', {}), httpMethod: 'GET' })).statusCode).toBe(405);
    const big = envelope('evt_l_2');
    const oversized = await receive(httpApiV2(big, signed(big), true));
    expect(oversized.statusCode).toBe(413);
    expect(oversized.headers).not.toHaveProperty('connection');
    expect(seen.started).toBe(0);
  });
});
