/**
 * The answer to a claim. `acquired` carries the token that proves ownership of the lease; a store
 * answers `in_flight` while another unexpired lease holds the id, and `done` while a completed id is
 * retained.
 */
export type ClaimResult =
  | { readonly state: 'acquired'; readonly token: string }
  | { readonly state: 'in_flight' }
  | { readonly state: 'done' };

/**
 * Where processed event ids are remembered. Three states per id: free, in flight (leased to one worker,
 * with a token), done (retained). Every method is atomic on its own; a stale token (the lease expired and
 * another worker claimed the id) changes nothing and answers `false`.
 *
 * Implement it on any database with four atomic statements; run `test/support/store-contract.ts` against it.
 */
export interface SeenEventStore {
  /** Claims a free id (or one whose lease expired) for `leaseMs`; answers the id's state otherwise. */
  claim(eventId: string, leaseMs: number): Promise<ClaimResult>;
  /** Marks the id done for `retentionMs`, if `token` still holds the lease. */
  complete(eventId: string, token: string, retentionMs: number): Promise<boolean>;
  /** Frees the id so a retry can claim it, if `token` still holds the lease. */
  release(eventId: string, token: string): Promise<boolean>;
  /** Extends the lease to `leaseMs` from now, if `token` still holds it. */
  extend(eventId: string, token: string, leaseMs: number): Promise<boolean>;
}

/**
 * Optional second contract, used by the handler's stale-update guard for out-of-order delivery:
 * the newest `createdDate` (epoch ms) applied per resource key.
 */
export interface AppliedOrderStore {
  /** The newest timestamp recorded for `key`, or `undefined`. */
  lastApplied(key: string): Promise<number | undefined>;
  /** Records `timestampMs` for `key` unless a newer one is recorded; keeps it for `retentionMs`. */
  recordApplied(key: string, timestampMs: number, retentionMs: number): Promise<void>;
}
