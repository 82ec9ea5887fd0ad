import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  MemorySeenEventStore,
  processOnce,
  StoreUnavailableError,
  verifyPayload,
  type SeenEventStore,
} from 'allthings-webhooks';

interface Envelope {
  event?: { id?: unknown; name?: unknown };
}

/** Reads the request body as Buffers, never as text, so the HMAC sees the exact bytes. */
function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts the demo receiver on an ephemeral 127.0.0.1 port. */
export async function startReceiver(options: {
  secrets: string[];
  store?: SeenEventStore;
  onEvent: (name: string, id: string) => void;
}): Promise<{ url: string; server: Server }> {
  const store = options.store ?? new MemorySeenEventStore();
  const server = createServer(async (req, res) => {
    const reply = (status: number, outcome: string) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ outcome }));
    };
    const rawBody = await readRaw(req);
    if (req.headers['x-allthings-signature'] === undefined) return reply(200, 'ping');
    const verified = verifyPayload(rawBody, req.headers, options.secrets);
    if (!verified.ok) return reply(401, verified.reason);
    let envelope: Envelope;
    try {
      envelope = JSON.parse(rawBody.toString('utf8')) as Envelope;
    } catch {
      return reply(400, 'invalid_json');
    }
    const id = envelope.event?.id;
    const name = envelope.event?.name;
    if (typeof id !== 'string' || id === '' || typeof name !== 'string') return reply(400, 'missing_event_id');
    try {
      const outcome = await processOnce(store, id, () => options.onEvent(name, id));
      if (outcome.status === 'in_flight') return reply(409, 'in_flight');
      return reply(200, outcome.status);
    } catch (error) {
      return reply(error instanceof StoreUnavailableError ? 503 : 500, 'error');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/webhooks/allthings`, server };
}
