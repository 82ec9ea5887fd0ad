/**
 * The main job: a real node:http receiver on 127.0.0.1 and a sender that posts a realistic sequence of
 * signed Allthings deliveries to it, good and bad. Exits non-zero unless every answer is the expected one.
 *
 *   npm run demo
 */
import { buildDeliveries, NEW_SECRET, SECRET } from './demo/deliveries.js';
import { startReceiver } from './demo/receiver.js';

async function main(): Promise<number> {
  const processed: string[] = [];
  const receiver = await startReceiver({
    secrets: [SECRET, NEW_SECRET],
    onEvent: (name, id) => void processed.push(`${name} ${id}`),
  });
  console.log(`receiver listening on ${receiver.url} (in-memory store)\n`);

  const deliveries = buildDeliveries(Date.now());
  let failures = 0;
  for (const d of deliveries) {
    const response = await fetch(receiver.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...d.headers },
      body: new Uint8Array(d.body),
    });
    const { outcome } = (await response.json()) as { outcome: string };
    const ok = response.status === d.expectStatus && outcome === d.expectOutcome;
    if (!ok) failures++;
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} ${d.eventName.padEnd(16)} ${d.label.padEnd(34)} -> ${response.status} ${outcome}` +
        (ok ? '' : `   (expected ${d.expectStatus} ${d.expectOutcome})`),
    );
  }
  receiver.server.close();

  console.log(`\n${deliveries.length} deliveries: ${deliveries.length - failures} as expected, ${failures} not.`);
  console.log(`work ran ${processed.length} times:\n  ${processed.join('\n  ')}`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
