import type { AppliedOrderStore, SeenEventStore } from '../idempotency/store.js';
import type { WebhookHeaders } from '../verify/headers.js';
import type { RawBody, WebhookSecret } from '../verify/inputs.js';
import type { VerifyOptions } from '../verify/options.js';
import type { VerificationFailureReason } from '../verify/errors.js';
import type { VerificationResult } from '../verify/outcome.js';

/**
 * Event names mapped to the type of their `data`. The default accepts any name with `unknown` data.
 *
 * @example
 * ```ts
 * type Events = { 'ticket.created': { ticketId: string }; 'ticket.closed': { ticketId: string } };
 * const handler = createWebhookHandler<Events>({ secret, on: { 'ticket.created': async (e) => e.data.ticketId } });
 * ```
 */
export type EventMap = { [name: string]: unknown };

/**
 * A verified event as a handler receives it. `id`, `name`, `urn`, `createdDate` and `data` come from the
 * envelope `{"event": {...}}`; `body` is the whole parsed JSON body (for senders with another layout).
 * The `data` type is what you declared: it is not checked at run time.
 *
 * @example
 * ```ts
 * on: { 'ticket.created': async (event) => db.tickets.insert(event.id, event.data) }
 * ```
 */
export interface WebhookEvent<Name extends string = string, Data = unknown> {
  readonly id: string;
  readonly name: Name;
  readonly urn: string | undefined;
  readonly createdDate: string | undefined;
  readonly data: Data;
  readonly body: unknown;
}

/**
 * What a handler receives besides the event. `signal` aborts when the idempotency lease is lost (another
 * worker may have taken the event over); pass it to your database or HTTP calls.
 *
 * @example
 * ```ts
 * on: { 'ticket.created': async (event, ctx) => fetch(url, { signal: ctx.signal }) }
 * ```
 */
export interface HandlerContext {
  readonly eventId: string;
  readonly eventName: string;
  /** The verified signing time, epoch ms. */
  readonly signedAt: number;
  readonly signal: AbortSignal;
}

/**
 * One event handler. Return normally once the effect is done; throw to answer 500 so the provider retries.
 *
 * @example
 * ```ts
 * const onTicket: EventHandler<'ticket.created', { ticketId: string }> = async (event) => { await save(event.data) };
 * ```
 */
export type EventHandler<Name extends string = string, Data = unknown> = {
  // Method syntax makes the parameter bivariant, so that a handler typed for one event name still fits
  // wherever a handler for any name is expected (the map's values when no event map is declared).
  handle(event: WebhookEvent<Name, Data>, context: HandlerContext): unknown;
}['handle'];

/**
 * The handler map: one optional handler per event name you subscribe to.
 *
 * @example
 * ```ts
 * const on: EventHandlers<{ 'ticket.created': Ticket }> = { 'ticket.created': async (e) => save(e.data) };
 * ```
 */
export type EventHandlers<E extends object> = {
  [K in keyof E & string]?: EventHandler<K, E[K]>;
};

/**
 * Checks a delivery's signature and freshness. The default is the Node `verifyPayload`; pass the Web Crypto
 * one from `allthings-webhooks/web` on runtimes without `node:crypto`.
 *
 * @example
 * ```ts
 * import { verifyPayload } from 'allthings-webhooks/web';
 * createWebhookHandler({ secret, on, verifier: verifyPayload });
 * ```
 */
export type PayloadVerifier = (
  rawBody: RawBody,
  headers: WebhookHeaders,
  secret: WebhookSecret,
  options: VerifyOptions,
) => VerificationResult | Promise<VerificationResult>;

/**
 * Drops an update older than the last one applied to the same resource (out-of-order delivery).
 * Best effort: it compares and records around your handler, it does not lock the resource.
 *
 * @example
 * ```ts
 * staleGuard: { store: new MemorySeenEventStore() } // key: event.urn, order: event.createdDate
 * ```
 */
export interface StaleGuardOptions {
  /** Where the newest applied `createdDate` per key is kept (`MemorySeenEventStore`, Redis, Postgres). */
  store: AppliedOrderStore;
  /** The resource key; `undefined` skips the guard for that event. Default `event.urn`. */
  key?: (event: WebhookEvent) => string | undefined;
  /** The event's order, epoch ms; `undefined` skips the guard. Default `Date.parse(event.createdDate)`. */
  order?: (event: WebhookEvent) => number | undefined;
  /** How long an applied order is remembered, ms. Default 8 days. */
  retentionMs?: number;
}

/**
 * Everything that answers 200.
 *
 * @example
 * ```ts
 * if (answer.outcome === 'ignored') logger.warn('unsubscribe from this event type');
 * ```
 */
export type AcceptedOutcome = 'processed' | 'duplicate' | 'ignored' | 'stale' | 'ping';

/**
 * Why a request was refused (4xx) or failed (5xx). Stable strings, safe to switch on and count.
 *
 * @example
 * ```ts
 * onRejected: ({ reason }: { reason: RejectionReason }) => metrics.increment(`webhooks.${reason}`)
 * ```
 */
export type RejectionReason =
  | VerificationFailureReason
  | 'invalid_json'
  | 'missing_event_id'
  | 'missing_event_name'
  | 'in_flight'
  | 'handler_failed'
  | 'store_unavailable'
  | AdapterRejectionReason;

/**
 * Reasons an adapter answers before the handler sees the request.
 *
 * @example
 * ```ts
 * const answer = handler.reject('payload_too_large'); // 413
 * ```
 */
export type AdapterRejectionReason =
  | 'payload_too_large'
  | 'method_not_allowed'
  | 'body_already_parsed'
  | 'request_aborted';

/**
 * The HTTP answer. `body` is a short JSON text (`{"ok":true,"outcome":"processed"}` or
 * `{"ok":false,"reason":"signature_mismatch"}`), never built from request data.
 *
 * @example
 * ```ts
 * const { status, headers, body } = await handler.handle({ rawBody, headers: req.headers });
 * res.writeHead(status, headers).end(body);
 * ```
 */
export interface WebhookResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly outcome: AcceptedOutcome | RejectionReason;
}

/**
 * The request as the handler needs it: the exact body bytes and the headers in any shape.
 *
 * @example
 * ```ts
 * await handler.handle({ rawBody: await request.arrayBuffer(), headers: request.headers });
 * ```
 */
export interface WebhookRequest {
  readonly rawBody: RawBody;
  readonly headers: WebhookHeaders;
}

/**
 * Passed to `onProcessed`. `recorded` is false when the store failed to mark the event done.
 *
 * @example
 * ```ts
 * onProcessed: ({ eventName, durationMs }) => histogram.observe(durationMs, { eventName })
 * ```
 */
export interface ProcessedInfo {
  readonly eventId: string;
  readonly eventName: string;
  readonly durationMs: number;
  readonly recorded: boolean;
}
/**
 * Passed to `onDuplicate`: `state` is `done` (answered 200) or `in_flight` (answered 409).
 *
 * @example
 * ```ts
 * onDuplicate: ({ eventId, state }) => logger.info(`duplicate ${eventId} (${state})`)
 * ```
 */
export interface DuplicateInfo {
  readonly eventId: string;
  readonly eventName: string;
  readonly state: 'done' | 'in_flight';
  readonly status: number;
}
/**
 * Passed to `onIgnored`: an event type without a handler, or an unsigned setup ping.
 *
 * @example
 * ```ts
 * onIgnored: ({ reason, eventName }) => reason === 'unhandled_event' && logger.warn(`unsubscribe from ${eventName}`)
 * ```
 */
export interface IgnoredInfo {
  readonly reason: 'unhandled_event' | 'setup_ping';
  readonly eventId: string | undefined;
  readonly eventName: string | undefined;
}
/**
 * Passed to `onStale`: the event's order and the newest applied for its key (epoch ms).
 *
 * @example
 * ```ts
 * onStale: ({ eventId, key }) => logger.info(`skipped stale ${eventId} for ${key}`)
 * ```
 */
export interface StaleInfo {
  readonly eventId: string;
  readonly eventName: string;
  readonly key: string;
  readonly order: number;
  readonly lastApplied: number;
}
/**
 * Passed to `onRejected`: a 4xx answer.
 *
 * @example
 * ```ts
 * onRejected: ({ reason, status }) => logger.warn(`webhook rejected ${status} ${reason}`)
 * ```
 */
export interface RejectedInfo {
  readonly reason: RejectionReason;
  readonly status: number;
  readonly eventId: string | undefined;
  readonly eventName: string | undefined;
}
/**
 * Passed to `onFailed`: a 5xx answer, or a store failure after the work completed (status 200).
 * `error` is your own handler's or store's error, or the library's `TypeError` for a configuration error.
 *
 * @example
 * ```ts
 * onFailed: ({ reason, eventId, error }) => logger.error({ reason, eventId, err: error })
 * ```
 */
export interface FailedInfo {
  readonly reason: 'handler_failed' | 'store_unavailable' | 'body_already_parsed';
  readonly status: number;
  readonly eventId: string | undefined;
  readonly eventName: string | undefined;
  readonly durationMs: number;
  readonly error: unknown;
}

/**
 * Observability hooks. They receive ids, names, reasons and timings, never payload content, header values
 * or secrets. They are called without being awaited; one that throws or rejects changes nothing.
 *
 * @example
 * ```ts
 * onRejected: ({ reason, status }) => metrics.increment('webhook.rejected', { reason, status })
 * ```
 */
export interface WebhookHooks {
  onProcessed?: (info: ProcessedInfo) => unknown;
  onDuplicate?: (info: DuplicateInfo) => unknown;
  onIgnored?: (info: IgnoredInfo) => unknown;
  onStale?: (info: StaleInfo) => unknown;
  onRejected?: (info: RejectedInfo) => unknown;
  onFailed?: (info: FailedInfo) => unknown;
}

/**
 * Settings for {@link createWebhookHandler}: the secret, the handlers, and optionally every
 * `verifyPayload` option, the store, getters and hooks.
 *
 * @example
 * ```ts
 * createWebhookHandler<{ 'ticket.created': Ticket }>({
 *   secret: process.env.ALLTHINGS_WEBHOOK_SECRET!,
 *   on: { 'ticket.created': async (event) => saveTicket(event.data) },
 * });
 * ```
 */
export interface WebhookHandlerOptions<E extends object = EventMap> extends VerifyOptions, WebhookHooks {
  /** The endpoint's signing secret, or several during rotation. */
  secret: WebhookSecret;
  /** One handler per event name you subscribe to. Other names are acknowledged and reported to `onIgnored`. */
  on: EventHandlers<E>;
  /**
   * Where processed event ids are remembered. Default: a `MemorySeenEventStore` owned by this handler
   * (one process). Use Redis or Postgres when several processes receive deliveries; `false` turns
   * deduplication off (every delivery runs its handler).
   */
  store?: SeenEventStore | false;
  /** Reads the event id from the parsed body. Default `body.event.id`. */
  getEventId?: (body: unknown) => string | number | undefined;
  /** Reads the event name from the parsed body. Default `body.event.name`. */
  getEventName?: (body: unknown) => string | undefined;
  /** A request with no signature header at all is the provider's setup ping: `'accept'` (200, default) or `'reject'` (401). */
  unsignedPing?: 'accept' | 'reject';
  /** Drop updates older than the last applied one for the same resource. Off by default. */
  staleGuard?: StaleGuardOptions;
  /** Idempotency lease, ms (default 5 min). */
  leaseMs?: number;
  /** How long processed ids are remembered, ms (default 8 days). */
  retentionMs?: number;
  /** Signature check; default the Node `verifyPayload`. */
  verifier?: PayloadVerifier;
}

/**
 * A delivery in progress, from {@link WebhookHandler.begin}.
 *
 * @example
 * ```ts
 * const sink = webhooks.begin(req.headers);
 * req.on('data', (chunk: Buffer) => sink.write(chunk));
 * req.on('end', async () => send(await sink.end()));
 * ```
 */
export interface WebhookBodySink {
  /**
   * The next chunk of the raw body, as received. The sink copies it into its own buffer, so the caller may
   * reuse or detach the chunk's memory as soon as `write` returns.
   */
  write(chunk: Uint8Array): void;
  /** The body is complete: verifies the joined chunks, then deduplicates and routes; resolves with the answer. */
  end(): Promise<WebhookResponse>;
}

/**
 * A framework-free webhook endpoint. Adapters turn it into a listener, plugin or middleware.
 *
 * @example
 * ```ts
 * const answer = await handler.handle({ rawBody, headers });
 * const refusal = handler.reject('payload_too_large'); // what adapters answer before reading a body
 * ```
 */
export interface WebhookHandler {
  /** Verifies, deduplicates and routes one delivery. Never rejects for what arrives on the wire. */
  handle(request: WebhookRequest): Promise<WebhookResponse>;
  /**
   * Starts a delivery whose body is still arriving: give it each chunk as it comes (it hashes while the
   * body streams in), then call `end()`. Same answers as `handle`.
   */
  begin(headers: WebhookRequest['headers']): WebhookBodySink;
  /** The answer (and hook call) for a request refused before it reached `handle`. */
  reject(reason: AdapterRejectionReason): WebhookResponse;
}
