// Child process of the HTTP group (http.mjs): the servers under test, each on its own 127.0.0.1 port.
//   bare       node:http, reads the body (chunks discarded) and answers 200 with a small JSON body
//   adapter    createNodeListener(createWebhookHandler({ secret, on: { 'ticket.created': async () => {} } })),
//              default memory store
//   parse      reference for the last-byte latency: collects the body, JSON.parse at the end, answers 200 (the
//              least any adapter that hands over a parsed event must do after the last byte)
//   buffered   reference: collects the body, HMAC + JSON.parse at the end (what an adapter that does not
//              hash while the body streams in must do after the last byte)
//   bare+nextTurn  the bare server answering from setImmediate, as the adapter does
// Sends { ports } to the parent over IPC once all listen; exits when the parent disconnects.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.BENCH_SECRET;
if (!secret) throw new Error('http-server.mjs: BENCH_SECRET is not set (run through bench/run.mjs --only=http).');
const ours = await import(new URL('../dist/index.js', import.meta.url));
const node = await import(new URL('../dist/node.js', import.meta.url));

const OK = '{"ok":true}';
const handler = ours.createWebhookHandler({ secret, on: { 'ticket.created': async () => {} } });
const collect = (req, done) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => done(Buffer.concat(chunks)));
};
/** @type {Record<string, import('node:http').RequestListener>} */
const listeners = {
  bare: (req, res) => {
    req.on('data', () => {});
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(OK));
  },
  adapter: node.createNodeListener(ours.createWebhookHandler({ secret, on: { 'ticket.created': async () => {} } })),
  parse: (req, res) =>
    collect(req, (body) => {
      JSON.parse(body.toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end(OK);
    }),
  buffered: (req, res) =>
    collect(req, (body) => {
      createHmac('sha256', secret).update(req.headers['x-allthings-signature-timestamp']).update(body).digest();
      JSON.parse(body.toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end(OK);
    }),
  // The bare server answering on the event loop's next turn, as the adapter does: shows whether the bare
  // baseline would gain from the same write scheduling (it does not: the load generator bounds it).
  'bare+nextTurn': (req, res) => {
    req.on('data', () => {});
    req.on('end', () => setImmediate(() => res.writeHead(200, { 'content-type': 'application/json' }).end(OK)));
  },
  // Diagnostics for the throughput rows (`--http-servers=`): the adapter's work added to the bare server step by step.
  'collect': (req, res) => collect(req, () => res.writeHead(200, { 'content-type': 'application/json' }).end(OK)),
  'collect+verify': (req, res) =>
    collect(req, (body) => {
      if (!ours.verifyPayload(body, req.headers, secret).ok) throw new Error('bench: verify failed');
      res.writeHead(200, { 'content-type': 'application/json' }).end(OK);
    }),
  'collect+verifyEvent': (req, res) =>
    collect(req, (body) => {
      ours.verifyEvent(body, req.headers, secret); // throws unless valid
      res.writeHead(200, { 'content-type': 'application/json' }).end(OK);
    }),
  'collect+verifyEvent+nextTurn': (req, res) =>
    collect(req, (body) => {
      ours.verifyEvent(body, req.headers, secret);
      setImmediate(() => res.writeHead(200, { 'content-type': 'application/json' }).end(OK));
    }),
  'collect+handle': (req, res) =>
    collect(req, async (body) => {
      const r = await handler.handle({ rawBody: body, headers: req.headers });
      res.writeHead(r.status, r.headers).end(r.body);
    }),
};

const ports = {};
const servers = [];
for (const [name, listener] of Object.entries(listeners)) {
  const server = createServer(listener);
  servers.push(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  ports[name] = server.address().port;
}
process.send({ ports });
process.on('disconnect', () => {
  for (const s of servers) s.close();
  for (const s of servers) s.closeAllConnections?.();
  setTimeout(() => process.exit(0), 200).unref();
});
