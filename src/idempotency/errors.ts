/** The value of `code` on every {@link StoreUnavailableError}. */
export const STORE_UNAVAILABLE_ERROR_CODE = 'ERR_ALLTHINGS_STORE_UNAVAILABLE';

/**
 * The seen-event store could not be reached or refused the operation. `processOnce` rejects with it and
 * does not run the work (or, with `workCompleted: true`, ran it but could not record it as done). The
 * store's own error is kept as `cause`. Answer 503 so that the provider retries.
 *
 * @example
 * ```ts
 * try { await processOnce(store, id, work) }
 * catch (err) { if (err instanceof StoreUnavailableError) res.writeHead(503).end() }
 * ```
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  /** Always {@link STORE_UNAVAILABLE_ERROR_CODE}. */
  readonly code = STORE_UNAVAILABLE_ERROR_CODE;
  /** The store operation that failed. */
  readonly operation: 'claim' | 'complete';
  /** The event id concerned. */
  readonly eventId: string;
  /** True when the work ran to completion but could not be recorded as done. */
  readonly workCompleted: boolean;

  constructor(operation: 'claim' | 'complete', eventId: string, cause: unknown, workCompleted = false) {
    super(
      operation === 'claim'
        ? `The seen-event store failed while claiming event ${eventId}; the work was not run. The store's own ` +
            'error is `cause` (a server down, a timeout, or a table never created: see createTable()).'
        : `The work for event ${eventId} completed, but the seen-event store failed to record it; ` +
            'a retry may run it again once the lease expires.',
      { cause },
    );
    this.operation = operation;
    this.eventId = eventId;
    this.workCompleted = workCompleted;
  }
}
