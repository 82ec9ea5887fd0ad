import type { SeenEventStore } from './store.js';
import { clock, SharedTimer } from './timer.js';

/** One running work's lease, renewed until `stop()`. `signal` aborts if a renewal finds the lease lost. */
export interface KeptLease {
  readonly signal: AbortSignal;
  stop(): void;
}

// Every lease in the process shares one unref'd timer, armed for the earliest renewal, instead of a
// setInterval and an AbortController per event: most work ends long before its first renewal, and the
// per-event timer was a measurable part of a webhook request.
const active = new Set<Entry>();
const timer = new SharedTimer(renewDue);

/** Keeps a lease alive while work runs: renewed every third of `leaseMs`. */
export function keepLeaseAlive(store: SeenEventStore, eventId: string, token: string, leaseMs: number): KeptLease {
  const entry = new Entry(store, eventId, token, leaseMs);
  active.add(entry);
  timer.armBy(entry.renewAt);
  return entry;
}

// A class, not an object literal: V8 creates a literal with a getter on a slow path (~0.5 µs, measured),
// and there is one lease per processed event.
class Entry implements KeptLease {
  renewAt: number;
  lost: Error | undefined = undefined;
  controller: AbortController | undefined = undefined;

  constructor(
    readonly store: SeenEventStore,
    readonly eventId: string,
    readonly token: string,
    readonly leaseMs: number,
  ) {
    this.renewAt = clock() + renewalInterval(leaseMs);
  }

  get signal(): AbortSignal {
    // Created on first use: most handlers never read it.
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.lost) this.controller.abort(this.lost);
    }
    return this.controller.signal;
  }

  stop(): void {
    active.delete(this);
  }
}

function renewalInterval(leaseMs: number): number {
  return Math.max(1, Math.floor(leaseMs / 3));
}

/** Renews every lease that is due; answers the next renewal time. */
function renewDue(now: number): number {
  let next = Number.POSITIVE_INFINITY;
  for (const entry of active) {
    if (entry.renewAt <= now) {
      entry.renewAt = now + renewalInterval(entry.leaseMs);
      renew(entry);
    }
    if (entry.renewAt < next) next = entry.renewAt;
  }
  return next;
}

function renew(entry: Entry): void {
  new Promise<boolean>((resolve) => resolve(entry.store.extend(entry.eventId, entry.token, entry.leaseMs))).then(
    (held) => {
      if (held || !active.has(entry) || entry.lost) return;
      entry.lost = new Error(`The lease on event ${entry.eventId} was lost.`);
      entry.controller?.abort(entry.lost);
    },
    // A failed renewal is tried again at the next renewal; the lease stays valid until it expires.
    () => undefined,
  );
}
