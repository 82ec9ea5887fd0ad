import { MemorySeenEventStore } from '../idempotency/memory.js';
import type { SeenEventStore } from '../idempotency/store.js';
import { toSecretList } from '../verify/inputs.js';
import { resolveOptions, type VerifyOptions } from '../verify/options.js';
import { defaultEventId, defaultEventName } from './envelope.js';
import { resolveStaleGuard, type StaleGuard } from './stale.js';
import type { EventHandler, PayloadVerifier, WebhookHandlerOptions, WebhookHooks } from './types.js';

/** The handler's settings, checked once at creation. */
export interface HandlerConfig {
  readonly secret: WebhookHandlerOptions['secret'];
  readonly verifyOptions: VerifyOptions;
  readonly signatureHeader: string;
  readonly verifier: PayloadVerifier;
  readonly handlers: ReadonlyMap<string, EventHandler>;
  readonly store: SeenEventStore | undefined;
  readonly getEventId: (body: unknown) => unknown;
  readonly getEventName: (body: unknown) => unknown;
  readonly acceptPing: boolean;
  readonly staleGuard: StaleGuard | undefined;
  readonly leaseMs: number | undefined;
  readonly retentionMs: number | undefined;
  readonly hooks: WebhookHooks;
}

const PREFIX = 'allthings-webhooks: createWebhookHandler';
const HOOK_NAMES = ['onProcessed', 'onDuplicate', 'onIgnored', 'onStale', 'onRejected', 'onFailed'] as const;

/** Validates the options (programming errors throw `TypeError` with the fix) and fills in defaults. */
export function resolveConfig<E extends object>(
  options: WebhookHandlerOptions<E>,
  defaultVerifier: PayloadVerifier,
): HandlerConfig {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${PREFIX} needs an options object: createWebhookHandler({ secret, on: { 'ticket.created': handler } }).`);
  }
  toSecretList(options.secret);
  const verifyOptions: VerifyOptions = {
    toleranceSeconds: options.toleranceSeconds,
    now: options.now,
    timestampUnit: options.timestampUnit,
    signedContent: options.signedContent,
    signatureHeader: options.signatureHeader,
    timestampHeader: options.timestampHeader,
  };
  const resolved = resolveOptions(verifyOptions);
  return {
    secret: options.secret,
    verifyOptions,
    signatureHeader: resolved.signatureHeader,
    verifier: fn(options.verifier, 'verifier', defaultVerifier),
    handlers: resolveHandlers(options.on),
    store: resolveStore(options.store),
    getEventId: fn(options.getEventId, 'getEventId', defaultEventId),
    getEventName: fn(options.getEventName, 'getEventName', defaultEventName),
    acceptPing: resolvePing(options.unsignedPing),
    staleGuard: resolveStaleGuard(options.staleGuard),
    leaseMs: positive(options.leaseMs, 'leaseMs'),
    retentionMs: positive(options.retentionMs, 'retentionMs'),
    hooks: resolveHooks(options),
  };
}

function resolveHandlers(on: unknown): ReadonlyMap<string, EventHandler> {
  if (on === null || typeof on !== 'object' || Array.isArray(on)) {
    throw new TypeError(
      `${PREFIX}: \`on\` must be an object mapping event names to handlers, e.g. ` +
        "`on: { 'ticket.created': async (event) => { ... } }`.",
    );
  }
  // A Map, so that names such as `constructor` or `__proto__` never reach Object.prototype.
  const handlers = new Map<string, EventHandler>();
  for (const [name, handler] of Object.entries(on)) {
    if (handler === undefined) continue;
    if (typeof handler !== 'function') {
      throw new TypeError(`${PREFIX}: the handler for ${JSON.stringify(name)} must be a function (event, context) => ...`);
    }
    handlers.set(name, handler as EventHandler);
  }
  return handlers;
}

function resolveStore(store: unknown): SeenEventStore | undefined {
  if (store === false) return undefined;
  if (store === undefined) return new MemorySeenEventStore();
  const s = store as Partial<SeenEventStore> | null;
  if (!s || !['claim', 'complete', 'release', 'extend'].every((m) => typeof s[m as keyof SeenEventStore] === 'function')) {
    throw new TypeError(
      `${PREFIX}: store must be a SeenEventStore (claim/complete/release/extend), e.g. \`new MemorySeenEventStore()\`, ` +
        'or `false` to turn deduplication off.',
    );
  }
  return store as SeenEventStore;
}

function resolvePing(value: unknown): boolean {
  if (value === undefined || value === 'accept') return true;
  if (value === 'reject') return false;
  throw new TypeError(`${PREFIX}: unsignedPing must be 'accept' (default, answers 200) or 'reject' (answers 401).`);
}

function resolveHooks(options: WebhookHooks): WebhookHooks {
  const hooks: Record<string, unknown> = {};
  for (const name of HOOK_NAMES) hooks[name] = fn(options[name], name, undefined);
  return hooks as WebhookHooks;
}

function fn<T>(value: unknown, name: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'function') throw new TypeError(`${PREFIX}: ${name} must be a function.`);
  return value as T;
}

function positive(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${PREFIX}: ${name} must be a positive number of milliseconds.`);
  }
  return value;
}
