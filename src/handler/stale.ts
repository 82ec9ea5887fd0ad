import { DEFAULT_RETENTION_MS } from '../idempotency/process-once.js';
import type { AppliedOrderStore } from '../idempotency/store.js';
import type { StaleGuardOptions, WebhookEvent } from './types.js';

/** The stale-update guard with its defaults filled in. */
export interface StaleGuard {
  readonly store: AppliedOrderStore;
  readonly key: (event: WebhookEvent) => string | undefined;
  readonly order: (event: WebhookEvent) => number | undefined;
  readonly retentionMs: number;
}

/** A verdict for one event: apply it (and record its order afterwards), or drop it as stale. */
export type StaleVerdict =
  | { readonly stale: false; readonly record?: () => Promise<void> }
  | { readonly stale: true; readonly key: string; readonly order: number; readonly lastApplied: number };

/** The guard's store failed; the handler answers 503 so that the provider retries. */
export class StaleStoreError extends Error {
  override readonly name = 'StaleStoreError';
  constructor(cause: unknown) {
    super('The stale-update guard store failed while reading the last applied order.', { cause });
  }
}

const defaultKey = (event: WebhookEvent): string | undefined => event.urn;
const defaultOrder = (event: WebhookEvent): number | undefined => {
  if (event.createdDate === undefined) return undefined;
  const ms = Date.parse(event.createdDate);
  return Number.isFinite(ms) ? ms : undefined;
};

/** Validates the option at creation, throwing `TypeError` with the fix. */
export function resolveStaleGuard(options: StaleGuardOptions | undefined): StaleGuard | undefined {
  if (options === undefined) return undefined;
  const store = options?.store as Partial<AppliedOrderStore> | undefined;
  if (!store || typeof store.lastApplied !== 'function' || typeof store.recordApplied !== 'function') {
    throw new TypeError(
      'allthings-webhooks: staleGuard.store must implement lastApplied(key) and recordApplied(key, ms, retentionMs), ' +
        'e.g. `staleGuard: { store: new MemorySeenEventStore() }`.',
    );
  }
  for (const name of ['key', 'order'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new TypeError(`allthings-webhooks: staleGuard.${name} must be a function of the event.`);
    }
  }
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  if (typeof retentionMs !== 'number' || !Number.isFinite(retentionMs) || retentionMs <= 0) {
    throw new TypeError('allthings-webhooks: staleGuard.retentionMs must be a positive number of milliseconds.');
  }
  return {
    store: options.store,
    key: options.key ?? defaultKey,
    order: options.order ?? defaultOrder,
    retentionMs,
  };
}

/**
 * Compares the event's order with the newest applied for its key. Equal orders are applied (two different
 * events may share a `createdDate`). Events without a key or order pass unguarded.
 */
export async function judge(guard: StaleGuard, event: WebhookEvent): Promise<StaleVerdict> {
  const key = safely(() => guard.key(event));
  const order = safely(() => guard.order(event));
  if (typeof key !== 'string' || key === '' || typeof order !== 'number' || !Number.isFinite(order)) {
    return { stale: false };
  }
  let lastApplied: number | undefined;
  try {
    lastApplied = await guard.store.lastApplied(key);
  } catch (error) {
    throw new StaleStoreError(error);
  }
  if (lastApplied !== undefined && order < lastApplied) return { stale: true, key, order, lastApplied };
  return { stale: false, record: () => guard.store.recordApplied(key, order, guard.retentionMs) };
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
