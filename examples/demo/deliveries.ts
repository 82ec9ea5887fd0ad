import { signPayload } from 'allthings-webhooks';

/** One delivery the demo sender posts, and what the receiver must answer. */
export interface Delivery {
  label: string;
  eventName: string;
  body: Buffer;
  headers: Record<string, string>;
  expectStatus: number;
  expectOutcome: string;
  /** Sent together with the next delivery, without waiting for the answer first. */
  concurrentWithNext?: boolean;
}

export const SECRET = 'whsec_demo_5d1c2e8b7d4f9a1c';
const NEW_SECRET = 'whsec_demo_rotated_91ab3f';
const WRONG_SECRET = 'whsec_someone_else_000000';

interface EventFields {
  id: string;
  name: string;
  urn: string;
  createdDate: string;
  data: Record<string, unknown>;
}

function body(event: EventFields): Buffer {
  return Buffer.from(JSON.stringify({ event }), 'utf8');
}

/** A realistic sequence of Allthings-style deliveries, good and bad, signed now (`nowMs`). */
export function buildDeliveries(nowMs: number): Delivery[] {
  const iso = (offsetSeconds: number) => new Date(nowMs + offsetSeconds * 1000).toISOString();
  const created = body({
    id: 'evt-0001-ticket-created',
    name: 'ticket.created',
    urn: 'urn:allthings:app:5d1c:ticket:77',
    createdDate: iso(-60),
    data: { title: 'Wasserhahn in der Küche tropft 💧', category: 'plumbing', reporter: 'Zoë Müller' },
  });
  const updateNewer = body({
    id: 'evt-0003-ticket-updated',
    name: 'ticket.updated',
    urn: 'urn:allthings:app:5d1c:ticket:77',
    createdDate: iso(-10),
    data: { status: 'closed', comment: 'Dichtung getauscht – alles dicht ✅' },
  });
  const updateOlder = body({
    id: 'evt-0002-ticket-updated',
    name: 'ticket.updated',
    urn: 'urn:allthings:app:5d1c:ticket:77',
    createdDate: iso(-30),
    data: { status: 'in-progress', comment: 'Handwerker ist unterwegs 🔧' },
  });
  const booking = body({
    id: 'evt-0004-booking-created',
    name: 'booking.created',
    urn: 'urn:allthings:app:5d1c:booking:1201',
    createdDate: iso(-5),
    data: { resource: 'Waschküche Haus B', from: iso(3600), to: iso(7200), note: 'Große Wäsche 🧺' },
  });
  const rotated = body({
    id: 'evt-0005-ticket-created',
    name: 'ticket.created',
    urn: 'urn:allthings:app:5d1c:ticket:78',
    createdDate: iso(-2),
    data: { title: 'Heizung im Schlafzimmer bleibt kalt 🥶', category: 'heating' },
  });
  const signNow = (payload: Buffer, secret: string | string[] = SECRET) => signPayload(payload, secret, { timestamp: nowMs });
  const tampered = Buffer.from(created.toString('utf8').replace('tropft', 'brennt'), 'utf8');
  const sig = (h: Record<string, string>) => h['x-allthings-signature']!;

  const comment = body({
    id: 'evt-0006-ticket-commented',
    name: 'ticket.commented',
    urn: 'urn:allthings:app:5d1c:ticket:77',
    createdDate: iso(-1),
    data: { text: 'Bitte morgen früh klingeln 🔔' },
  });
  const unsubscribed = body({
    id: 'evt-0007-user-updated',
    name: 'user.updated',
    urn: 'urn:allthings:app:5d1c:user:9',
    createdDate: iso(-1),
    data: { locale: 'de_CH' },
  });

  return [
    { label: 'valid', eventName: 'ticket.created', body: created, headers: signNow(created), expectStatus: 200, expectOutcome: 'processed' },
    { label: 'duplicate (provider retry)', eventName: 'ticket.created', body: created, headers: signNow(created), expectStatus: 200, expectOutcome: 'duplicate' },
    { label: 'out of order: newer update first', eventName: 'ticket.updated', body: updateNewer, headers: signNow(updateNewer), expectStatus: 200, expectOutcome: 'processed' },
    { label: 'out of order: older update late', eventName: 'ticket.updated', body: updateOlder, headers: signNow(updateOlder), expectStatus: 200, expectOutcome: 'stale' },
    { label: 'valid, slow handler (German + emoji)', eventName: 'booking.created', body: booking, headers: signNow(booking), expectStatus: 200, expectOutcome: 'processed', concurrentWithNext: true },
    { label: 'same event while the first is running', eventName: 'booking.created', body: booking, headers: signNow(booking), expectStatus: 409, expectOutcome: 'in_flight' },
    { label: 'provider retry after that', eventName: 'booking.created', body: booking, headers: signNow(booking), expectStatus: 200, expectOutcome: 'duplicate' },
    { label: 'handler fails (first attempt)', eventName: 'ticket.commented', body: comment, headers: signNow(comment), expectStatus: 500, expectOutcome: 'handler_failed' },
    { label: 'provider retry succeeds', eventName: 'ticket.commented', body: comment, headers: signNow(comment), expectStatus: 200, expectOutcome: 'processed' },
    { label: 'type with no handler', eventName: 'user.updated', body: unsubscribed, headers: signNow(unsubscribed), expectStatus: 200, expectOutcome: 'ignored' },
    { label: 'signed with the rotated secret', eventName: 'ticket.created', body: rotated, headers: signNow(rotated, NEW_SECRET), expectStatus: 200, expectOutcome: 'processed' },
    { label: 'tampered body', eventName: 'ticket.created', body: tampered, headers: signNow(created), expectStatus: 401, expectOutcome: 'signature_mismatch' },
    { label: 'stale (signed 10 min ago)', eventName: 'ticket.created', body: created, headers: signPayload(created, SECRET, { timestamp: nowMs - 600_000 }), expectStatus: 401, expectOutcome: 'timestamp_too_old' },
    { label: 'from the future (+10 min)', eventName: 'ticket.created', body: created, headers: signPayload(created, SECRET, { timestamp: nowMs + 600_000 }), expectStatus: 401, expectOutcome: 'timestamp_in_future' },
    { label: 'wrong secret', eventName: 'ticket.created', body: created, headers: signNow(created, WRONG_SECRET), expectStatus: 401, expectOutcome: 'signature_mismatch' },
    { label: 'body-only signature', eventName: 'ticket.created', body: created, headers: signPayload(created, SECRET, { timestamp: nowMs, signedContent: 'body' }), expectStatus: 401, expectOutcome: 'signature_mismatch' },
    { label: 'timestamp in seconds', eventName: 'ticket.created', body: created, headers: signPayload(created, SECRET, { timestamp: nowMs, timestampUnit: 's' }), expectStatus: 401, expectOutcome: 'timestamp_too_old' },
    { label: "'sha256=' prefixed signature", eventName: 'ticket.created', body: created, headers: { ...signNow(created), 'x-allthings-signature': `sha256=${sig(signNow(created))}` }, expectStatus: 401, expectOutcome: 'malformed_signature' },
    { label: 'unsigned setup ping', eventName: '(none)', body: Buffer.from('{}'), headers: {}, expectStatus: 200, expectOutcome: 'ping' },
  ];
}

export { NEW_SECRET };
