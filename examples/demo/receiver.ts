import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createWebhookHandler,
  MemorySeenEventStore,
  type AppliedOrderStore,
  type SeenEventStore,
} from 'allthings-webhooks';
import { createNodeListener } from 'allthings-webhooks/node';

/** What the demo's event handlers do: record each run, fail a comment once, take a while on bookings. */
export interface DemoEffects {
  ran: string[];
  failOnce: Set<string>;
}

/** Starts the demo receiver, the library's handler behind its node:http adapter, on 127.0.0.1. */
export async function startReceiver(options: {
  secrets: string[];
  store?: SeenEventStore & AppliedOrderStore;
  effects: DemoEffects;
}): Promise<{ url: string; server: Server }> {
  const store = options.store ?? new MemorySeenEventStore();
  const { effects } = options;
  const record = (name: string) => async (event: { id: string }) => {
    effects.ran.push(`${name} ${event.id}`);
  };
  const webhooks = createWebhookHandler({
    secret: options.secrets,
    store,
    staleGuard: { store },
    on: {
      'ticket.created': record('ticket.created'),
      'ticket.updated': record('ticket.updated'),
      'ticket.commented': async (event) => {
        if (effects.failOnce.delete(event.id)) throw new Error('the ticket system is briefly down');
        effects.ran.push(`ticket.commented ${event.id}`);
      },
      'booking.created': async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        effects.ran.push(`booking.created ${event.id}`);
      },
    },
  });
  const receive = createNodeListener(webhooks);
  const server = createServer((req, res) => void receive(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/webhooks/allthings`, server };
}
