import { StoreUnavailableError } from './errors.js';
import { keepLeaseAlive, type KeptLease } from './lease.js';
import type { ClaimResult, SeenEventStore } from './store.js';

/** Default lease: how long one worker holds an event before another may take it over. */
export const DEFAULT_LEASE_MS = 5 * 60_000;
/** Default retention: the provider's seven days of retries plus a day of margin. */
export const DEFAULT_RETENTION_MS = 8 * 24 * 60 * 60_000;

/** Settings for {@link processOnce}. */
export interface ProcessOnceOptions {
  /** Lease length in ms (default 5 min). While the work runs, the lease is renewed every third of it. */
  leaseMs?: number;
  /** How long a done event is remembered, in ms (default 8 days). */
  retentionMs?: number;
}

/** What the work receives. `signal` aborts if the lease is lost (another worker may take the event over). */
export interface WorkContext {
  readonly eventId: string;
  readonly signal: AbortSignal;
}

/** The outcome of {@link processOnce}. */
export type ProcessOnceResult<T> =
  /** `recorded` is false when the lease was lost before completion: the id may be free again. */
  | { readonly status: 'processed'; readonly result: T; readonly recorded: boolean }
  | { readonly status: 'duplicate' }
  | { readonly status: 'in_flight' };

/**
 * Runs `work` once per event id across retries, processes and machines. Claims the id with a lease, runs
 * the work, marks it done; if the work throws, releases the claim (so the provider's retry can do it) and
 * rethrows. Answers `duplicate` for a done id (acknowledge it) and `in_flight` while another worker holds
 * it (answer non-2xx so that the provider retries later). Rejects with {@link StoreUnavailableError},
 * without running the work, when the store fails.
 *
 * @example
 * ```ts
 * const outcome = await processOnce(store, event.id, () => createTicket(event));
 * if (outcome.status === 'in_flight') return res.writeHead(409).end();
 * res.writeHead(200).end();
 * ```
 */
export async function processOnce<T>(
  store: SeenEventStore,
  eventId: string,
  work: (context: WorkContext) => T | Promise<T>,
  options: ProcessOnceOptions = {},
): Promise<ProcessOnceResult<T>> {
  checkArguments(store, eventId, work);
  const leaseMs = positive(options.leaseMs, DEFAULT_LEASE_MS, 'leaseMs');
  const retentionMs = positive(options.retentionMs, DEFAULT_RETENTION_MS, 'retentionMs');

  let claim: ClaimResult;
  try {
    claim = checkClaim(await store.claim(eventId, leaseMs));
  } catch (error) {
    throw new StoreUnavailableError('claim', eventId, error);
  }
  if (claim.state === 'done') return { status: 'duplicate' };
  if (claim.state === 'in_flight') return { status: 'in_flight' };

  const { token } = claim;
  const lease = keepLeaseAlive(store, eventId, token, leaseMs);
  let result: T;
  try {
    result = await work(new LeasedWork(eventId, lease));
  } catch (error) {
    lease.stop();
    // A failed release only delays the retry until the lease expires; the work's error is what matters.
    try {
      await store.release(eventId, token);
    } catch {
      // Ignored on purpose (see above); a synchronous throw lands here too.
    }
    throw error;
  }
  lease.stop();
  const recorded = await completeWithRetry(store, eventId, token, retentionMs);
  return { status: 'processed', result, recorded };
}


/** The work's context; a class, since V8 creates an object literal with a getter on a slow path. */
class LeasedWork implements WorkContext {
  readonly #lease: KeptLease;

  constructor(
    readonly eventId: string,
    lease: KeptLease,
  ) {
    this.#lease = lease;
  }

  get signal(): AbortSignal {
    return this.#lease.signal;
  }
}

/** A store must answer one of the three states (with a token when acquired); anything else is a failure. */
function checkClaim(claim: unknown): ClaimResult {
  const state = (claim as { state?: unknown } | null)?.state;
  if (state === 'done' || state === 'in_flight') return claim as ClaimResult;
  if (state === 'acquired') {
    const { token } = claim as { token?: unknown };
    if (typeof token === 'string' && token.length > 0) return claim as ClaimResult;
  }
  throw new TypeError(
    "The store's claim() answered neither { state: 'acquired', token } nor { state: 'in_flight' } nor { state: 'done' }.",
  );
}

/** True when the id was recorded as done; false when the lease had been lost (another worker may run it). */
async function completeWithRetry(
  store: SeenEventStore,
  eventId: string,
  token: string,
  retentionMs: number,
): Promise<boolean> {
  const pauses = [0, 50, 250];
  let lastError: unknown;
  for (const pause of pauses) {
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    try {
      return (await store.complete(eventId, token, retentionMs)) === true;
    } catch (error) {
      lastError = error;
    }
  }
  throw new StoreUnavailableError('complete', eventId, lastError, true);
}


function checkArguments(store: unknown, eventId: unknown, work: unknown): void {
  const s = store as Partial<SeenEventStore> | null | undefined;
  if (!s || !(['claim', 'complete', 'release', 'extend'] as const).every((method) => typeof s[method] === 'function')) {
    throw new TypeError(
      'allthings-webhooks: processOnce needs a SeenEventStore (claim/complete/release/extend), e.g. `new MemorySeenEventStore()`.',
    );
  }
  if (typeof eventId !== 'string' || eventId.length === 0) {
    throw new TypeError('allthings-webhooks: processOnce needs the event id as a non-empty string (event.id).');
  }
  if (typeof work !== 'function') throw new TypeError('allthings-webhooks: processOnce needs the work as a function.');
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`allthings-webhooks: ${name} must be a positive number of milliseconds.`);
  }
  return value;
}
