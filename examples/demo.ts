/**
 * The main job: a real node:http receiver (the library's handler behind its node adapter) on 127.0.0.1, and
 * a sender that posts a realistic sequence of signed Allthings deliveries to it, good and bad. Exits
 * non-zero unless every answer is the expected one and every event's work ran exactly once.
 *
 *   npm run demo                                     in-memory store
 *   npm run demo -- --redis redis://127.0.0.1:6379
 *   npm run demo -- --postgres postgres://postgres@127.0.0.1:5432/test
 */
import { buildDeliveries, NEW_SECRET, SECRET, type Delivery } from './demo/deliveries.js';
import { startReceiver, type DemoEffects } from './demo/receiver.js';
import { DemoUsageError, openStore } from './demo/stores.js';

const EXPECTED_RUNS = [
  'ticket.created evt-0001-ticket-created',
  'ticket.updated evt-0003-ticket-updated',
  'booking.created evt-0004-booking-created',
  'ticket.commented evt-0006-ticket-commented',
  'ticket.created evt-0005-ticket-created',
];

async function post(url: string, d: Delivery): Promise<{ status: number; outcome: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...d.headers },
    body: new Uint8Array(d.body),
  });
  const answer = (await response.json()) as { outcome?: string; reason?: string };
  return { status: response.status, outcome: answer.outcome ?? answer.reason ?? '?' };
}

async function main(): Promise<number> {
  const store = await openStore(process.argv.slice(2));
  const effects: DemoEffects = { ran: [], failOnce: new Set(['evt-0006-ticket-commented']) };
  const receiver = await startReceiver({ secrets: [SECRET, NEW_SECRET], store: store.store, effects });
  console.log(`receiver listening on ${receiver.url}, store: ${store.name}\n`);

  const deliveries = buildDeliveries(Date.now());
  let failures = 0;
  const report = (d: Delivery, answer: { status: number; outcome: string }) => {
    const ok = answer.status === d.expectStatus && answer.outcome === d.expectOutcome;
    if (!ok) failures++;
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} ${d.eventName.padEnd(16)} ${d.label.padEnd(38)} -> ${answer.status} ${answer.outcome}` +
        (ok ? '' : `   (expected ${d.expectStatus} ${d.expectOutcome})`),
    );
  };
  try {
    for (let i = 0; i < deliveries.length; i++) {
      const d = deliveries[i]!;
      const next = deliveries[i + 1];
      if (d.concurrentWithNext && next) {
        // The second copy arrives while the first one's (slow) handler is still running.
        const first = post(receiver.url, d);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const second = await post(receiver.url, next);
        report(d, await first);
        report(next, second);
        i++;
        continue;
      }
      report(d, await post(receiver.url, d));
    }
  } finally {
    receiver.server.close();
    await store.close();
  }

  const runsOk = JSON.stringify([...effects.ran].sort()) === JSON.stringify([...EXPECTED_RUNS].sort());
  console.log(`\n${deliveries.length} deliveries: ${deliveries.length - failures} answered as expected, ${failures} not.`);
  console.log(`work ran ${effects.ran.length} times (${runsOk ? 'each event exactly once' : 'NOT as expected'}):`);
  for (const run of effects.ran) console.log(`  ${run}`);
  return failures === 0 && runsOk ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof DemoUsageError ? `demo: ${error.message}` : error);
    process.exit(error instanceof DemoUsageError ? 2 : 1);
  },
);
