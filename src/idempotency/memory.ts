import type { AppliedOrderStore, ClaimResult, SeenEventStore } from './store.js';

/** Settings for {@link MemorySeenEventStore}. */
export interface MemoryStoreOptions {
  /** Most ids held at once (done plus in flight); the oldest done ids are evicted first. Default 100,000. */
  maxEntries?: number;
  /**
   * Clock in ms, for tests. Default: the monotonic clock on the epoch scale (`performance.timeOrigin +
   * performance.now()`), so that a wall-clock step cannot expire a running claim (see the constructor).
   */
  now?: () => number;
}

const monotonicNow = (): number => performance.timeOrigin + performance.now();

interface Lease {
  token: string;
  expiresAt: number;
}

/**
 * A Map that remembers insertion order in its own queue. Asking a JavaScript Map for its first key after
 * many deletions walks over every deleted slot still in its table, which made eviction O(maxEntries) per
 * claim; the queue's head skips each stale entry once, so every operation is amortised O(1). A queued
 * entry is live while the map still holds the same value for its key (values are numbers or objects, so a
 * re-set key leaves its old entry stale; re-set to an equal number, the first entry stands for both).
 */
class OrderedMap<V> {
  readonly #map = new Map<string, V>();
  #keys: string[] = [];
  #values: V[] = [];
  #head = 0;

  get size(): number {
    return this.#map.size;
  }

  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  /** Sets `key` as the newest entry. */
  set(key: string, value: V): void {
    this.#map.set(key, value);
    this.#keys.push(key);
    this.#values.push(value);
    // Stale entries (deleted or replaced keys) are dropped once they outnumber the live ones.
    if (this.#keys.length - this.#head > 2 * this.#map.size + 1024) this.#compact();
  }

  delete(key: string): void {
    this.#map.delete(key);
  }

  /** The oldest live entry. */
  oldest(): { key: string; value: V } | undefined {
    while (this.#head < this.#keys.length) {
      const key = this.#keys[this.#head]!;
      const value = this.#values[this.#head]!;
      if (this.#map.get(key) === value) return { key, value };
      this.#head += 1;
    }
    this.#keys = [];
    this.#values = [];
    this.#head = 0;
    return undefined;
  }

  #compact(): void {
    const keys: string[] = [];
    const values: V[] = [];
    for (let i = this.#head; i < this.#keys.length; i++) {
      const key = this.#keys[i]!;
      const value = this.#values[i]!;
      if (this.#map.get(key) === value) {
        keys.push(key);
        values.push(value);
      }
    }
    this.#keys = keys;
    this.#values = values;
    this.#head = 0;
  }
}

/**
 * The in-memory default: one process, bounded, O(1) per operation, no timers. Done ids cost one Map slot
 * and one number each; expired entries are dropped lazily when touched and from the oldest end on writes.
 * Use Redis or PostgreSQL when more than one process receives deliveries, or when a restart must not
 * forget what was processed.
 *
 * @example
 * ```ts
 * const store = new MemorySeenEventStore({ maxEntries: 50_000 });
 * await processOnce(store, event.id, () => handle(event));
 * ```
 */
export class MemorySeenEventStore implements SeenEventStore, AppliedOrderStore {
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #leases = new Map<string, Lease>();
  // Insertion order is completion order, so the first entry is the oldest done id.
  readonly #done = new OrderedMap<number>();
  readonly #applied = new OrderedMap<{ timestampMs: number; expiresAt: number }>();
  #nextToken = 0;

  constructor(options: MemoryStoreOptions = {}) {
    const max = options.maxEntries ?? 100_000;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new TypeError('allthings-webhooks: maxEntries must be a whole number >= 1.');
    }
    this.#maxEntries = max;
    // Not Date.now: a wall-clock step forward longer than a lease (NTP sync after boot, VM resume) expired a
    // running claim at once and let a retry run the work a second time; a step back kept done ids too long
    // or too short. Only this store compares these times, so they need not be wall-clock times.
    this.#now = options.now ?? monotonicNow;
  }

  /** How many ids are held (done plus in flight). */
  get size(): number {
    return this.#leases.size + this.#done.size;
  }

  async claim(eventId: string, leaseMs: number): Promise<ClaimResult> {
    const now = this.#now();
    const doneUntil = this.#done.get(eventId);
    if (doneUntil !== undefined) {
      if (doneUntil > now) return { state: 'done' };
      this.#done.delete(eventId);
    }
    const lease = this.#leases.get(eventId);
    if (lease !== undefined && lease.expiresAt > now) return { state: 'in_flight' };
    if (lease === undefined) this.#makeRoom(now);
    const token = `${++this.#nextToken}`;
    this.#leases.set(eventId, { token, expiresAt: now + leaseMs });
    return { state: 'acquired', token };
  }

  async complete(eventId: string, token: string, retentionMs: number): Promise<boolean> {
    if (!this.#holds(eventId, token)) return false;
    this.#leases.delete(eventId);
    this.#done.set(eventId, this.#now() + retentionMs);
    return true;
  }

  async release(eventId: string, token: string): Promise<boolean> {
    if (!this.#holds(eventId, token)) return false;
    this.#leases.delete(eventId);
    return true;
  }

  async extend(eventId: string, token: string, leaseMs: number): Promise<boolean> {
    if (!this.#holds(eventId, token)) return false;
    this.#leases.get(eventId)!.expiresAt = this.#now() + leaseMs;
    return true;
  }

  async lastApplied(key: string): Promise<number | undefined> {
    const entry = this.#applied.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > this.#now()) return entry.timestampMs;
    this.#applied.delete(key);
    return undefined;
  }

  async recordApplied(key: string, timestampMs: number, retentionMs: number): Promise<void> {
    const now = this.#now();
    const entry = this.#applied.get(key);
    if (entry !== undefined && entry.expiresAt > now && entry.timestampMs > timestampMs) return;
    this.#applied.delete(key);
    this.#applied.set(key, { timestampMs, expiresAt: now + retentionMs });
    if (this.#applied.size > this.#maxEntries) this.#applied.delete(this.#applied.oldest()!.key);
  }

  #holds(eventId: string, token: string): boolean {
    const lease = this.#leases.get(eventId);
    return lease !== undefined && lease.token === token && lease.expiresAt > this.#now();
  }

  /** Drops expired done ids from the old end, then evicts the oldest done id while over the bound. */
  #makeRoom(now: number): void {
    for (let i = 0; i < 2; i++) {
      const oldest = this.#done.oldest();
      if (oldest === undefined || oldest.value > now) break;
      this.#done.delete(oldest.key);
    }
    while (this.size >= this.#maxEntries) {
      const oldest = this.#done.oldest();
      if (oldest === undefined) {
        this.#dropExpiredLeases(now);
        if (this.size >= this.#maxEntries) {
          throw new Error(
            `MemorySeenEventStore is full: all ${this.#maxEntries} entries are in flight. Raise maxEntries.`,
          );
        }
        return;
      }
      this.#done.delete(oldest.key);
    }
  }

  #dropExpiredLeases(now: number): void {
    for (const [id, lease] of this.#leases) if (lease.expiresAt <= now) this.#leases.delete(id);
  }
}
