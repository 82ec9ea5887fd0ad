import { STORE_UNAVAILABLE_ERROR_CODE } from '../idempotency/errors.js';
import { processOnce, type ProcessOnceResult } from '../idempotency/process-once.js';
import { VERIFICATION_FAILURE_REASONS } from '../verify/errors.js';
import { readHeader, type WebhookHeaders } from '../verify/headers.js';
import { toBodyBytes, type BodyBytes } from '../verify/inputs.js';
import { parseJsonBody } from '../verify/json.js';
import type { VerifyOptions } from '../verify/options.js';
import type { VerificationResult } from '../verify/outcome.js';
import { resolveConfig, type HandlerConfig } from './config.js';
import { ByteAccumulator } from './bytes.js';
import { readEventId, readEventName, toEvent } from './envelope.js';
import { callHook, elapsed } from './hooks.js';
import { accepted, isAdapterReason, refused, statusOf } from './respond.js';
import { judge, StaleStoreError } from './stale.js';
import type {
  AdapterRejectionReason,
  EventHandler,
  HandlerContext,
  PayloadVerifier,
  RejectionReason,
  WebhookEvent,
  WebhookBodySink,
  WebhookHandler,
  WebhookHandlerOptions,
  WebhookRequest,
  WebhookResponse,
} from './types.js';

/** An authentic, parsed event with a handler, on its way to being run. */
interface Routed {
  readonly event: WebhookEvent;
  readonly handler: EventHandler;
  readonly signedAt: number;
  readonly start: number;
}

type WorkOutcome = 'processed' | { readonly stale: true };

/** Starts a verification that is fed the body chunk by chunk (the Node backend has one). */
export type StreamingVerifierFactory = (
  headers: WebhookHeaders,
  secret: WebhookHandlerOptions['secret'],
  options: VerifyOptions,
) => { update(chunk: Uint8Array): void; finish(): VerificationResult };

/**
 * Builds a handler around a given verifier. `createWebhookHandler` passes the Node `verifyPayload` and its
 * streaming twin; a runtime without `node:crypto` passes the Web Crypto one, since nothing here imports
 * from `node:`. A custom `verifier` option turns streaming off (the body is then verified once complete).
 */
export function buildWebhookHandler<E extends object>(
  options: WebhookHandlerOptions<E>,
  defaultVerifier: PayloadVerifier,
  streamingVerifier?: StreamingVerifierFactory,
): WebhookHandler {
  const config = resolveConfig(options, defaultVerifier);
  const streaming = options.verifier === undefined ? streamingVerifier : undefined;
  // A backend that can stream is node:crypto, whose verifier is synchronous: nothing can change the bytes
  // between its check and the parse, so they need no copy.
  const synchronous = streaming !== undefined;
  return {
    handle: (request) => handle(config, request, synchronous),
    begin: (headers) => begin(config, streaming, headers),
    reject(reason: AdapterRejectionReason): WebhookResponse {
      if (!isAdapterReason(reason)) {
        throw new TypeError(
          "allthings-webhooks: reject() takes 'payload_too_large', 'method_not_allowed', 'body_already_parsed' or 'request_aborted'.",
        );
      }
      if (reason === 'body_already_parsed') {
        const error = new TypeError(
          'allthings-webhooks: the request body was consumed by a body parser before the webhook handler, and no ' +
            'raw body was kept. Mount the webhook route before express.json() (or any global body parser), or ' +
            'keep the bytes: express.json({ verify: (req, res, buf) => { req.rawBody = buf } }).',
        );
        callHook(config.hooks, 'onFailed', failed(reason, 500, undefined, 0, error));
      } else {
        callHook(config.hooks, 'onRejected', rejected(reason, undefined));
      }
      return refused(reason);
    },
  };
}

/** `owned`: the body is the sink's private copy, which nobody else can change, so it needs no copy. */
async function handle(
  config: HandlerConfig,
  request: WebhookRequest,
  synchronous: boolean,
  owned = false,
): Promise<WebhookResponse> {
  const start = performance.now();
  if (request === null || typeof request !== 'object') {
    throw new TypeError('allthings-webhooks: handle() takes { rawBody, headers } with the exact body bytes received.');
  }
  const raw = toBodyBytes(request.rawBody);
  const { headers } = request;
  if (readHeader(headers, config.signatureHeader).length === 0) return ping(config);
  if (synchronous) {
    // Verified and parsed in one synchronous stretch (afterVerification parses before its first await).
    const verified = config.verifier(raw, headers, config.secret, config.verifyOptions) as VerificationResult;
    return afterVerification(config, raw, verified, start);
  }
  // A copy, so that a caller cannot change the bytes while an asynchronous verifier runs.
  const body = owned ? raw : copy(raw);
  const verified = await config.verifier(body, headers, config.secret, config.verifyOptions);
  return afterVerification(config, body, verified, start);
}

/**
 * A delivery whose body is still arriving. The sink copies each chunk into its own buffer and hashes from
 * that buffer, so the bytes parsed are by construction the bytes hashed, whatever the caller does with its
 * chunks afterwards. Hashed in slices of at least HASH_SLICE bytes when a streaming verifier is available
 * (one HMAC update per one-byte chunk cost more than the copy); otherwise (or for an unsigned ping) the
 * body goes through `handle` at `end()`.
 */
function begin(
  config: HandlerConfig,
  streaming: StreamingVerifierFactory | undefined,
  headers: WebhookHeaders,
): WebhookBodySink {
  const start = performance.now();
  const body = new ByteAccumulator();
  let hashed = 0;
  let ended = false;
  const verification =
    streaming !== undefined && readHeader(headers, config.signatureHeader).length > 0
      ? streaming(headers, config.secret, config.verifyOptions)
      : undefined;
  return {
    write(chunk) {
      if (ended) throw new TypeError('allthings-webhooks: write() after end(): a delivery ends once.');
      const bytes = toBodyBytes(chunk);
      if (typeof bytes === 'string') throw new TypeError('allthings-webhooks: write() takes the body as bytes (Buffer or Uint8Array).');
      body.push(bytes);
      if (verification !== undefined && body.length - hashed >= HASH_SLICE) {
        verification.update(body.view(hashed));
        hashed = body.length;
      }
    },
    async end() {
      if (ended) throw new TypeError('allthings-webhooks: end() was called twice: a delivery ends once.');
      ended = true;
      // The sink's own copy: nothing outside can change it, so no further copy is needed before verifying.
      if (verification === undefined) return handle(config, { rawBody: body.view(), headers }, streaming !== undefined, true);
      if (body.length > hashed) verification.update(body.view(hashed));
      return afterVerification(config, body.view(), verification.finish(), start);
    },
  };
}

/** Fewest bytes hashed per HMAC update while a body streams in. */
const HASH_SLICE = 16 * 1024;

/** Everything after the signature check: parse, read id and name, route, deduplicate, run. */
async function afterVerification(
  config: HandlerConfig,
  body: BodyBytes,
  verified: VerificationResult,
  start: number,
): Promise<WebhookResponse> {
  checkVerdict(verified);
  if (!verified.ok) return reject(config, verified.reason, undefined);

  let parsed: unknown;
  try {
    parsed = parseJsonBody<unknown>(body);
  } catch {
    return reject(config, 'invalid_json', undefined);
  }
  const eventId = readEventId(config.getEventId, parsed);
  if (eventId === undefined) return reject(config, 'missing_event_id', undefined);
  const eventName = readEventName(config.getEventName, parsed);
  if (eventName === undefined) return reject(config, 'missing_event_name', { eventId, eventName });

  const handler = config.handlers.get(eventName);
  if (handler === undefined) {
    callHook(config.hooks, 'onIgnored', { reason: 'unhandled_event', eventId, eventName });
    return accepted('ignored');
  }
  const event = toEvent(eventId, eventName, parsed);
  return run(config, { event, handler, signedAt: verified.timestamp, start });
}

function ping(config: HandlerConfig): WebhookResponse {
  if (!config.acceptPing) return reject(config, 'missing_signature', undefined);
  callHook(config.hooks, 'onIgnored', { reason: 'setup_ping', eventId: undefined, eventName: undefined });
  return accepted('ping');
}

async function run(config: HandlerConfig, routed: Routed): Promise<WebhookResponse> {
  const { id: eventId, name: eventName } = routed.event;
  let outcome: ProcessOnceResult<WorkOutcome>;
  try {
    outcome = config.store
      ? await processOnce(config.store, eventId, (context) => work(config, routed, context), {
          leaseMs: config.leaseMs,
          retentionMs: config.retentionMs,
        })
      : { status: 'processed', result: await work(config, routed, new Unleased()), recorded: true };
  } catch (error) {
    return failure(config, routed, error);
  }
  if (outcome.status === 'processed') {
    if (outcome.result !== 'processed') return accepted('stale');
    const { recorded } = outcome;
    callHook(config.hooks, 'onProcessed', { eventId, eventName, durationMs: elapsed(routed.start), recorded });
    return accepted('processed');
  }
  const state = outcome.status === 'duplicate' ? 'done' : 'in_flight';
  const response = state === 'done' ? accepted('duplicate') : refused('in_flight');
  callHook(config.hooks, 'onDuplicate', { eventId, eventName, state, status: response.status });
  return response;
}

/** Without a store there is no lease to lose: a signal that never aborts, made only if asked for. */
class Unleased {
  #controller: AbortController | undefined;

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }
}

/**
 * What a handler receives besides the event. A class, since V8 creates an object literal with a getter on
 * a slow path; `signal` is read from the lease only when the handler asks (it costs an AbortController).
 */
class Context implements HandlerContext {
  readonly #lease: { readonly signal: AbortSignal };

  constructor(
    readonly eventId: string,
    readonly eventName: string,
    readonly signedAt: number,
    lease: { readonly signal: AbortSignal },
  ) {
    this.#lease = lease;
  }

  get signal(): AbortSignal {
    return this.#lease.signal;
  }
}

/** The work done under the claim: the stale check, the user's handler, then recording the order. */
async function work(
  config: HandlerConfig,
  routed: Routed,
  lease: { readonly signal: AbortSignal },
): Promise<WorkOutcome> {
  const { event } = routed;
  const verdict = config.staleGuard ? await judge(config.staleGuard, event) : { stale: false as const };
  if (verdict.stale) {
    const { key, order, lastApplied } = verdict;
    callHook(config.hooks, 'onStale', { eventId: event.id, eventName: event.name, key, order, lastApplied });
    return { stale: true };
  }
  try {
    await routed.handler(event, new Context(event.id, event.name, routed.signedAt, lease));
  } catch (error) {
    // Marked as the handler's own, so that an error that merely looks like a store failure (say, from a
    // processOnce the handler ran itself) can never be mistaken for "work done, not recorded".
    throw new HandlerFailure(error);
  }
  if (verdict.record) {
    // The effect has happened: a failure to record the order must not make the provider run it again.
    // Called inside a promise, so that a store that throws synchronously or answers something other than a
    // promise (a plain Map-backed store) is handled like one that rejects.
    const { record } = verdict;
    await new Promise<void>((resolve) => resolve(record())).catch((error: unknown) => {
      callHook(config.hooks, 'onFailed', failed('store_unavailable', 200, event, elapsed(routed.start), error));
    });
  }
  return 'processed';
}

/** Wraps whatever the user's handler threw. */
class HandlerFailure {
  constructor(readonly error: unknown) {}
}

function failure(config: HandlerConfig, routed: Routed, error: unknown): WebhookResponse {
  const { event, start } = routed;
  if (error instanceof HandlerFailure) {
    const response = refused('handler_failed');
    callHook(config.hooks, 'onFailed', failed('handler_failed', response.status, event, elapsed(start), error.error));
    return response;
  }
  const storeFailed =
    error instanceof StaleStoreError ||
    (error instanceof Error && (error as { code?: unknown }).code === STORE_UNAVAILABLE_ERROR_CODE);
  if (storeFailed && (error as { workCompleted?: unknown }).workCompleted === true) {
    // The work is done; only "done" could not be recorded. 200 stops retries that would repeat the effect.
    callHook(config.hooks, 'onFailed', failed('store_unavailable', 200, event, elapsed(start), error));
    callHook(config.hooks, 'onProcessed', {
      eventId: event.id,
      eventName: event.name,
      durationMs: elapsed(start),
      recorded: false,
    });
    return accepted('processed');
  }
  const reason = storeFailed ? 'store_unavailable' : 'handler_failed';
  const response = refused(reason);
  callHook(config.hooks, 'onFailed', failed(reason, response.status, event, elapsed(start), error));
  return response;
}

function reject(
  config: HandlerConfig,
  reason: RejectionReason,
  ids: { eventId: string; eventName: string | undefined } | undefined,
): WebhookResponse {
  callHook(config.hooks, 'onRejected', rejected(reason, ids));
  return refused(reason);
}

function rejected(reason: RejectionReason, ids: { eventId: string; eventName: string | undefined } | undefined) {
  return { reason, status: statusOf(reason), eventId: ids?.eventId, eventName: ids?.eventName };
}

function failed(
  reason: 'handler_failed' | 'store_unavailable' | 'body_already_parsed',
  status: number,
  event: WebhookEvent | undefined,
  durationMs: number,
  error: unknown,
) {
  return { reason, status, eventId: event?.id, eventName: event?.name, durationMs, error };
}

const VERIFICATION_REASONS: ReadonlySet<unknown> = new Set(VERIFICATION_FAILURE_REASONS);

/** A custom `verifier` must answer as `verifyPayload` does; anything else is a programming error. */
function checkVerdict(verified: VerificationResult): void {
  const v = verified as Partial<Record<'ok' | 'timestamp' | 'reason', unknown>> | null | undefined;
  const valid =
    v !== null &&
    typeof v === 'object' &&
    (v.ok === true ? typeof v.timestamp === 'number' && Number.isFinite(v.timestamp) : v.ok === false && VERIFICATION_REASONS.has(v.reason));
  if (!valid) {
    throw new TypeError(
      "allthings-webhooks: the verifier must answer as verifyPayload does: { ok: true, timestamp } (epoch ms) or { ok: false, reason, message } with one of verifyPayload's reasons.",
    );
  }
}

function copy(body: BodyBytes): BodyBytes {
  // `new Uint8Array(view)` copies; `Buffer#slice` would not (it shares memory, like subarray).
  return typeof body === 'string' ? body : new Uint8Array(body);
}
