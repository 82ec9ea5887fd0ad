import type { WebhookEvent } from './types.js';

/** Longest event id accepted; longer ones would bloat store keys and are certainly not the provider's. */
const MAX_ID_LENGTH = 512;

type Getter<T> = (body: unknown) => T;

function envelope(body: unknown): Record<string, unknown> | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const event = (body as { event?: unknown }).event;
  return event !== null && typeof event === 'object' ? (event as Record<string, unknown>) : undefined;
}

function stringField(record: Record<string, unknown> | undefined, field: string): string | undefined {
  const value = record?.[field];
  return typeof value === 'string' ? value : undefined;
}

/** Default id getter: `body.event.id`. */
export const defaultEventId: Getter<string | number | undefined> = (body) => {
  const value = envelope(body)?.['id'];
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
};

/** Default name getter: `body.event.name`. */
export const defaultEventName: Getter<string | undefined> = (body) => stringField(envelope(body), 'name');

/** Runs a user getter; a getter that throws on an unexpected body counts as "not there". */
export function readEventId(getter: Getter<unknown>, body: unknown): string | undefined {
  let value: unknown;
  try {
    value = getter(body);
  } catch {
    return undefined;
  }
  // Only integers JSON.parse reads exactly: 9007199254740993 would silently become ...992, another event.
  if (typeof value === 'number' && Number.isSafeInteger(value)) value = String(value);
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) return undefined;
  // NUL and lone surrogates: PostgreSQL rejects NUL, and UTF-8 stores turn every lone
  // surrogate into U+FFFD, so different ids would collide. Refused the same way on every store.
  if (UNUSABLE_IN_ID.test(value)) return undefined;
  return value;
}

const UNUSABLE_IN_ID = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Runs the name getter; only a non-empty string counts. */
export function readEventName(getter: Getter<unknown>, body: unknown): string | undefined {
  let value: unknown;
  try {
    value = getter(body);
  } catch {
    return undefined;
  }
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The event handed to handlers, from the envelope fields (all optional on the wire). */
export function toEvent(id: string, name: string, body: unknown): WebhookEvent {
  const record = envelope(body);
  return Object.freeze({
    id,
    name,
    urn: stringField(record, 'urn'),
    createdDate: stringField(record, 'createdDate'),
    data: record?.['data'],
    body,
  });
}
