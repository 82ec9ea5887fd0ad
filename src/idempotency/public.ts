// The idempotency API as both the Node and the web entry export it (nothing here touches a crypto API).
export { processOnce, DEFAULT_LEASE_MS, DEFAULT_RETENTION_MS } from './process-once.js';
export type { ProcessOnceOptions, ProcessOnceResult, WorkContext } from './process-once.js';
export { StoreUnavailableError, STORE_UNAVAILABLE_ERROR_CODE } from './errors.js';
export { MemorySeenEventStore, type MemoryStoreOptions } from './memory.js';
export type { SeenEventStore, ClaimResult, AppliedOrderStore } from './store.js';
